package dev.silkroute.worker.engine;

/**
 * How a generation ended.
 *
 * @param finishReason "stop" (the model ended it) or "length" (max tokens reached)
 * @param gpuNanos GPU time apportioned to this request: its share of every prefill and decode step
 */
public record Completion(String finishReason, long promptTokens, long completionTokens, long gpuNanos) {
  public static final String STOP = "stop";
  public static final String LENGTH = "length";
}
