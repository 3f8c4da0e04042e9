package dev.silkroute.worker.engine;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;

/** Keeps what an engine sent for one generation. */
final class RecordingSink implements GenerationSink {
  final StringBuilder text = new StringBuilder();
  final List<Integer> chunks = new CopyOnWriteArrayList<>();
  volatile Completion completion;
  volatile EngineFailure failure;

  @Override
  public synchronized void onTokens(String text, int tokens) {
    this.text.append(text);
    chunks.add(tokens);
  }

  @Override
  public void onFinish(Completion completion) {
    this.completion = completion;
  }

  @Override
  public void onFailure(EngineFailure failure) {
    this.failure = failure;
  }

  synchronized String text() {
    return text.toString();
  }

  int tokens() {
    return chunks.stream().mapToInt(Integer::intValue).sum();
  }
}
