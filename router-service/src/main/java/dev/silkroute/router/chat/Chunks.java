package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.JsonNode;

/** What an OpenAI-shaped {@code chat.completion.chunk} carries. */
final class Chunks {

  private Chunks() {
  }

  /**
   * Whether the chunk carries output for the client: text, reasoning, a refusal, a tool call, or a
   * finish reason. The role-only opening ({@code "delta": {"role": "assistant", "content": ""}})
   * carries none.
   */
  static boolean carriesOutput(JsonNode chunk) {
    for (JsonNode choice : chunk.path("choices")) {
      if (choice.hasNonNull("finish_reason")) {
        return true;
      }
      JsonNode delta = choice.path("delta");
      if (text(delta, "content") || text(delta, "reasoning") || text(delta, "reasoning_content")
          || text(delta, "refusal") || !delta.path("tool_calls").isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static boolean text(JsonNode delta, String field) {
    JsonNode value = delta.get(field);
    return value != null && value.isTextual() && !value.asText().isEmpty();
  }
}
