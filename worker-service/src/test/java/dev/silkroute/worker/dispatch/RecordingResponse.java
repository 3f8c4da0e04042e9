package dev.silkroute.worker.dispatch;

import dev.silkroute.worker.engine.EngineFailure;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps what the dispatcher sent for one request. */
final class RecordingResponse implements ResponseSink {
  final AtomicInteger tokens = new AtomicInteger();
  volatile Finished finished;
  volatile EngineFailure failure;

  @Override
  public void onTokens(String text, int tokens) {
    this.tokens.addAndGet(tokens);
  }

  @Override
  public void onFinished(Finished finished) {
    this.finished = finished;
  }

  @Override
  public void onFailed(EngineFailure failure) {
    this.failure = failure;
  }
}
