package dev.silkroute.router.messages;

/** OpenAI's finish reasons in Anthropic's stop-reason vocabulary. */
final class AnthropicStopReason {

  private AnthropicStopReason() {
  }

  /**
   * {@code stop} is {@code end_turn}: OpenAI's answer does not say whether a stop sequence ended
   * it, nor which.
   */
  static String of(String finishReason) {
    if (finishReason == null) {
      return "end_turn";
    }
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn";
    };
  }
}
