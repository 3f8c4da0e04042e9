package dev.silkroute.router.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The router's OpenAI-shaped {@code chat.completion} as an Anthropic {@code message}: reasoning
 * becomes a thinking block, text a text block, tool calls {@code tool_use} blocks, in that order,
 * which is Anthropic's.
 */
final class AnthropicMessage {

  private final ObjectMapper json;

  AnthropicMessage(ObjectMapper json) {
    this.json = json;
  }

  ObjectNode of(ObjectNode completion) {
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    ObjectNode answer = json.createObjectNode();
    answer.put("id", completion.path("id").asText())
        .put("type", "message")
        .put("role", "assistant")
        .put("model", completion.path("model").asText());
    ArrayNode content = answer.putArray("content");
    String reasoning = reasoning(message);
    if (!reasoning.isEmpty()) {
      content.addObject().put("type", "thinking").put("thinking", reasoning).put("signature", "");
    }
    if (message.path("content").isTextual() && !message.get("content").asText().isEmpty()) {
      content.addObject().put("type", "text").put("text", message.get("content").asText()).putNull("citations");
    }
    for (JsonNode call : message.path("tool_calls")) {
      ObjectNode block = content.addObject().put("type", "tool_use")
          .put("id", call.path("id").asText())
          .put("name", call.path("function").path("name").asText());
      block.set("input", input(call.path("function").path("arguments").asText("")));
      // Who called the tool, as Anthropic's answers say: the model itself.
      block.putObject("caller").put("type", "direct");
    }
    answer.put("stop_reason", AnthropicStopReason.of(choice.path("finish_reason").asText(null)));
    answer.putNull("stop_sequence");
    answer.set("usage", usage(completion.path("usage")));
    return answer;
  }

  /** OpenRouter's {@code reasoning}, or DeepSeek's and vLLM's {@code reasoning_content}. */
  static String reasoning(JsonNode messageOrDelta) {
    JsonNode reasoning = messageOrDelta.path("reasoning");
    if (!reasoning.isTextual()) {
      reasoning = messageOrDelta.path("reasoning_content");
    }
    return reasoning.isTextual() ? reasoning.asText() : "";
  }

  /**
   * Anthropic counts cached prompt tokens apart from {@code input_tokens}; OpenAI counts them in
   * {@code prompt_tokens}.
   */
  ObjectNode usage(JsonNode usage) {
    long prompt = usage.path("prompt_tokens").asLong(0);
    long cached = usage.path("prompt_tokens_details").path("cached_tokens").asLong(0);
    ObjectNode out = json.createObjectNode();
    out.put("input_tokens", Math.max(0, prompt - cached))
        .put("output_tokens", usage.path("completion_tokens").asLong(0))
        .put("cache_creation_input_tokens", 0)
        .put("cache_read_input_tokens", cached);
    return out;
  }

  /** Tool arguments as the object Anthropic's {@code input} is; a model's malformed JSON kept as text. */
  private JsonNode input(String arguments) {
    if (arguments.isBlank()) {
      return json.createObjectNode();
    }
    try {
      JsonNode input = json.readTree(arguments);
      if (input != null && input.isObject()) {
        return input;
      }
    } catch (JsonProcessingException e) {
      // falls through
    }
    return json.createObjectNode().put("arguments", arguments);
  }
}
