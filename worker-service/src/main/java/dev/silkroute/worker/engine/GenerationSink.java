package dev.silkroute.worker.engine;

/**
 * Receives one generation's output. Calls for one generation never overlap; exactly one of
 * {@link #onFinish} or {@link #onFailure} ends it, unless it was cancelled, in which case neither may come.
 */
public interface GenerationSink {
  /** Text generated since the previous call, and how many tokens it holds. */
  void onTokens(String text, int tokens);

  void onFinish(Completion completion);

  void onFailure(EngineFailure failure);
}
