package dev.silkroute.worker.engine;

/**
 * How a generation ended.
 *
 * @param finishReason "stop" (the model ended it) or "length" (max tokens reached)
 * @param gpuNanos GPU time apportioned to this request: its share of every prefill and decode step
 * @param cachedTokens prompt tokens served from the engine's prefix cache (not prefilled)
 */
public record Completion(String finishReason, long promptTokens, long completionTokens, long gpuNanos,
                         long cachedTokens) {

  /** A completion without prefix-cache hits. */
  public Completion(String finishReason, long promptTokens, long completionTokens, long gpuNanos) {
    this(finishReason, promptTokens, completionTokens, gpuNanos, 0);
  }

  public static final String STOP = "stop";
  public static final String LENGTH = "length";
}
