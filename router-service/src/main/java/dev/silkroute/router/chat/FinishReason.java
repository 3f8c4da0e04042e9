package dev.silkroute.router.chat;

/** Maps providers' finish reasons onto OpenAI's five. */
final class FinishReason {

  private FinishReason() {
  }

  static String normalise(String upstream) {
    if (upstream == null) {
      return "stop";
    }
    return switch (upstream) {
      case "stop", "end_turn", "stop_sequence", "eos" -> "stop";
      case "length", "max_tokens", "model_length" -> "length";
      case "tool_calls", "tool_use", "function_call" -> "tool_calls";
      case "content_filter", "refusal", "sensitive" -> "content_filter";
      default -> "error".equals(upstream) ? "error" : "stop";
    };
  }
}
