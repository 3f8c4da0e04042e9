package dev.silkroute.providersim.internal.generation;

import java.util.List;
import java.util.Optional;

/**
 * What the simulated model answers, before it is rendered in a protocol's shape.
 *
 * @param pieces the tokens in order: words of text (with their leading space), or fragments of the tool
 *     call's JSON arguments; each piece is one completion token and one stream delta
 * @param toolCall present when the answer is a tool call
 * @param promptTokens counted from the request
 * @param cachedPromptTokens how many of them the provider's prompt cache served (within promptTokens)
 */
public record Completion(List<String> pieces, Optional<ToolCall> toolCall, FinishReason finishReason,
                         long promptTokens, long cachedPromptTokens) {

  public Completion {
    pieces = List.copyOf(pieces);
  }

  /** An answer none of whose prompt came from a cache. */
  public Completion(List<String> pieces, Optional<ToolCall> toolCall, FinishReason finishReason, long promptTokens) {
    this(pieces, toolCall, finishReason, promptTokens, 0);
  }

  /** This answer with {@code share} of its prompt tokens (rounded down) read from the prompt cache. */
  public Completion withCachedShare(double share) {
    return new Completion(pieces, toolCall, finishReason, promptTokens, (long) Math.floor(promptTokens * share));
  }

  public enum FinishReason { STOP, LENGTH, TOOL_CALLS }

  /** @param id protocol-neutral suffix; dialects prefix it ({@code call_}, {@code toolu_}) */
  public record ToolCall(String id, String name) {}

  public long completionTokens() {
    return pieces.size();
  }

  public String text() {
    return String.join("", pieces);
  }
}
