package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.provider.Completion;
import java.time.Clock;

/** Turns an Anthropic {@code message} into OpenAI's {@code chat.completion}. */
final class MessagesAnswer {

  private final ObjectMapper json;
  private final Clock clock;

  MessagesAnswer(ObjectMapper json, Clock clock) {
    this.json = json;
    this.clock = clock;
  }

  /** Null when {@code message} is not a Messages answer. */
  Completion translate(JsonNode message) {
    if (message == null || !message.isObject() || !message.path("content").isArray()) {
      return null;
    }
    StringBuilder text = new StringBuilder();
    StringBuilder reasoning = new StringBuilder();
    ArrayNode toolCalls = json.createArrayNode();
    for (JsonNode block : message.get("content")) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText());
        case "thinking" -> reasoning.append(block.path("thinking").asText());
        case "tool_use" -> {
          ObjectNode call = toolCalls.addObject()
              .put("id", block.path("id").asText()).put("type", "function");
          call.putObject("function").put("name", block.path("name").asText())
              .put("arguments", block.path("input").isMissingNode() ? "{}" : block.get("input").toString());
        }
        default -> { } // redacted thinking, server tool blocks: nothing OpenAI clients can use
      }
    }
    String nativeReason = message.path("stop_reason").asText(null);
    String finishReason = StopReason.toFinishReason(nativeReason);

    ObjectNode completion = json.createObjectNode()
        .put("id", message.path("id").asText())
        .put("object", "chat.completion")
        .put("created", clock.instant().getEpochSecond())
        .put("model", message.path("model").asText());
    ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
    ObjectNode answer = choice.putObject("message").put("role", "assistant");
    if (text.length() > 0 || toolCalls.isEmpty()) {
      answer.put("content", text.toString());
    } else {
      answer.putNull("content");
    }
    if (reasoning.length() > 0) {
      answer.put("reasoning", reasoning.toString());
    }
    if (!toolCalls.isEmpty()) {
      answer.set("tool_calls", toolCalls);
    }
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason == null ? "stop" : finishReason);
    choice.put("native_finish_reason", nativeReason);
    MessagesUsage usage = MessagesUsage.from(message.get("usage"));
    usage.writeTo(completion.putObject("usage"));
    return new Completion(completion, usage.tokens(), finishReason);
  }
}
