package dev.silkroute.router.provider;

/**
 * How an upstream stream ended.
 *
 * @param usage        tokens the upstream reported in its usage chunk ({@link TokenUsage#NONE} if none)
 * @param finishReason the last finish reason seen, or null
 * @param complete     false when the stream stopped without its terminator (cut mid-stream)
 */
public record StreamEnd(TokenUsage usage, String finishReason, boolean complete) {
}
