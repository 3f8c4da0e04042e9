package dev.silkroute.router.provider.anthropic;

/** Anthropic's stop reasons in OpenAI's finish-reason vocabulary. */
final class StopReason {

  private StopReason() {
  }

  static String toFinishReason(String stopReason) {
    if (stopReason == null) {
      return null;
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      // end_turn, stop_sequence, pause_turn: the model stopped on its own terms.
      default -> "stop";
    };
  }
}
