package dev.silkroute.worker.dispatch;

import dev.silkroute.worker.engine.EngineFailure;

/** Where a submitted request's output goes; one of {@link #onFinished}/{@link #onFailed} ends it unless cancelled. */
public interface ResponseSink {
  void onTokens(String text, int tokens);

  void onFinished(Finished finished);

  void onFailed(EngineFailure failure);

  /**
   * A completed request's accounting.
   *
   * @param gpuMicros GPU time apportioned to it, microseconds
   * @param costMicros that GPU time at the worker's price, micro-USD
   * @param cachedTokens prompt tokens the engine's prefix cache held (not prefilled)
   */
  record Finished(String finishReason, long promptTokens, long completionTokens, long queueMillis,
      long gpuMicros, long costMicros, long cachedTokens) {

    public Finished(String finishReason, long promptTokens, long completionTokens, long queueMillis,
                    long gpuMicros, long costMicros) {
      this(finishReason, promptTokens, completionTokens, queueMillis, gpuMicros, costMicros, 0);
    }
  }
}
