package dev.silkroute.worker.grpc;

import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.WorkerUsage;
import dev.silkroute.worker.dispatch.ResponseSink;
import dev.silkroute.worker.engine.EngineFailure;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Writes one request's output as {@link GenerateChunk}s: tokens, then a final chunk with usage. */
final class ChunkStream implements ResponseSink {
  private final StreamObserver<GenerateChunk> out;
  private final LongSupplier nanoTime;
  private final long arrivedNanos;

  ChunkStream(StreamObserver<GenerateChunk> out, LongSupplier nanoTime, long arrivedNanos) {
    this.out = out;
    this.nanoTime = nanoTime;
    this.arrivedNanos = arrivedNanos;
  }

  @Override
  public void onTokens(String text, int tokens) {
    out.onNext(GenerateChunk.newBuilder().setText(text).setTokens(tokens).setElapsedMs(elapsedMillis()).build());
  }

  @Override
  public void onFinished(Finished finished) {
    out.onNext(GenerateChunk.newBuilder()
        .setFinishReason(finished.finishReason())
        .setUsage(WorkerUsage.newBuilder()
            .setPromptTokens(finished.promptTokens())
            .setCompletionTokens(finished.completionTokens())
            .setQueueMs(finished.queueMillis())
            .setGpuMicros(finished.gpuMicros())
            .setCostMicros(finished.costMicros())
            .setCachedTokens(finished.cachedTokens()))
        .setElapsedMs(elapsedMillis())
        .build());
    out.onCompleted();
  }

  /** The engine behind us failed: UNAVAILABLE, so that the router may try elsewhere if nothing was sent yet. */
  @Override
  public void onFailed(EngineFailure failure) {
    out.onError(Status.UNAVAILABLE.withDescription(failure.getMessage()).asRuntimeException());
  }

  private long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(nanoTime.getAsLong() - arrivedNanos);
  }
}
