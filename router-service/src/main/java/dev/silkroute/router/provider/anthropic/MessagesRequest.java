package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates an OpenAI chat request into an Anthropic Messages request: system and developer
 * messages become {@code system}, tool messages become {@code tool_result} blocks of a user turn,
 * assistant tool calls become {@code tool_use} blocks, and the sampling fields are renamed. OpenAI
 * fields with no Anthropic equivalent (seed, penalties, logit_bias, logprobs, response_format) are
 * dropped; {@code require_parameters} routing is what keeps requests that need them away.
 */
final class MessagesRequest {

  private static final Pattern DATA_URL = Pattern.compile("data:([^;,]+);base64,(.*)", Pattern.DOTALL);

  private final ObjectMapper json;
  private final long defaultMaxTokens;

  MessagesRequest(ObjectMapper json, long defaultMaxTokens) {
    this.json = json;
    this.defaultMaxTokens = defaultMaxTokens;
  }

  ObjectNode translate(ChatRequest request, String upstreamModel, boolean stream) {
    ObjectNode openAi = request.body();
    ObjectNode body = json.createObjectNode();
    body.put("model", upstreamModel);
    // Anthropic requires max_tokens; OpenAI lets the model decide, so a configured default stands in.
    body.put("max_tokens", request.maxTokens().orElse(defaultMaxTokens));
    ArrayNode system = json.createArrayNode();
    ArrayNode messages = body.putArray("messages");
    JsonNode openAiMessages = openAi.path("messages");
    for (int i = 0; i < openAiMessages.size(); i++) {
      message(openAiMessages.get(i), "messages[" + i + "]", system, messages);
    }
    if (!system.isEmpty()) {
      body.set("system", system);
    }
    if (openAi.path("temperature").isNumber()) {
      // OpenAI's range is 0..2, Anthropic's 0..1: the top of ours means the top of theirs.
      body.put("temperature", Math.min(1.0, openAi.get("temperature").asDouble()));
    }
    copyNumber(openAi, "top_p", body, "top_p");
    copyNumber(openAi, "top_k", body, "top_k");
    stopSequences(openAi.get("stop"), body);
    tools(openAi, body);
    if (openAi.path("user").isTextual()) {
      body.putObject("metadata").put("user_id", openAi.get("user").asText());
    }
    body.put("stream", stream);
    return body;
  }

  private void message(JsonNode message, String at, ArrayNode system, ArrayNode messages) {
    String role = message.path("role").asText();
    JsonNode content = message.get("content");
    switch (role) {
      case "system", "developer" -> addTextBlocks(content, system);
      case "user" -> turn(messages, "user").addAll(blocks(content, at + ".content"));
      case "assistant" -> {
        ArrayNode blocks = blocks(content, at + ".content");
        JsonNode calls = message.path("tool_calls");
        for (int j = 0; j < calls.size(); j++) {
          blocks.add(toolUse(calls.get(j), at + ".tool_calls[" + j + "]"));
        }
        if (!blocks.isEmpty()) {
          turn(messages, "assistant").addAll(blocks);
        }
      }
      case "tool" -> {
        ObjectNode result = json.createObjectNode().put("type", "tool_result")
            .put("tool_use_id", message.path("tool_call_id").asText());
        ArrayNode resultBlocks = blocks(content, at + ".content");
        if (!resultBlocks.isEmpty()) {
          result.set("content", resultBlocks);
        }
        turn(messages, "user").add(result);
      }
      default -> throw invalid("'" + at + ".role' is not supported by this provider", at + ".role");
    }
  }

  /**
   * The content array of a turn with this role: the last one if it has the same role, else a new one.
   * Consecutive tool results must share the user turn that follows the assistant's tool calls.
   */
  private ArrayNode turn(ArrayNode messages, String role) {
    if (!messages.isEmpty()) {
      JsonNode last = messages.get(messages.size() - 1);
      if (last.path("role").asText().equals(role)) {
        return (ArrayNode) last.get("content");
      }
    }
    ObjectNode turn = messages.addObject().put("role", role);
    return turn.putArray("content");
  }

  private void addTextBlocks(JsonNode content, ArrayNode into) {
    if (content == null || content.isNull()) {
      return;
    }
    if (content.isTextual()) {
      text(content.asText(), into);
      return;
    }
    for (JsonNode part : content) {
      if (part.path("type").asText().equals("text")) {
        text(part.path("text").asText(), into);
      }
    }
  }

  private ArrayNode blocks(JsonNode content, String at) {
    ArrayNode blocks = json.createArrayNode();
    if (content == null || content.isNull()) {
      return blocks;
    }
    if (content.isTextual()) {
      text(content.asText(), blocks);
      return blocks;
    }
    for (int j = 0; j < content.size(); j++) {
      JsonNode part = content.get(j);
      switch (part.path("type").asText()) {
        case "text" -> text(part.path("text").asText(), blocks);
        case "image_url" -> blocks.add(image(part.path("image_url"), at + "[" + j + "].image_url"));
        default -> throw invalid("content part type '" + part.path("type").asText()
            + "' is not supported by this provider", at + "[" + j + "].type");
      }
    }
    return blocks;
  }

  /** Anthropic rejects empty text blocks, which OpenAI clients send freely (e.g. content ""). */
  private void text(String text, ArrayNode into) {
    if (!text.isEmpty()) {
      into.addObject().put("type", "text").put("text", text);
    }
  }

  private ObjectNode image(JsonNode imageUrl, String at) {
    JsonNode url = imageUrl.isTextual() ? imageUrl : imageUrl.path("url");
    if (!url.isTextual() || url.asText().isBlank()) {
      throw invalid("'" + at + ".url' must be a URL or a data: URL", at + ".url");
    }
    ObjectNode block = json.createObjectNode().put("type", "image");
    Matcher data = DATA_URL.matcher(url.asText());
    if (data.matches()) {
      block.putObject("source").put("type", "base64").put("media_type", data.group(1)).put("data", data.group(2));
    } else {
      block.putObject("source").put("type", "url").put("url", url.asText());
    }
    return block;
  }

  private ObjectNode toolUse(JsonNode call, String at) {
    JsonNode function = call.path("function");
    String arguments = function.path("arguments").asText("");
    JsonNode input;
    try {
      input = arguments.isBlank() ? json.createObjectNode() : json.readTree(arguments);
    } catch (JsonProcessingException e) {
      throw invalid("'" + at + ".function.arguments' must be a JSON object", at + ".function.arguments");
    }
    if (!input.isObject()) {
      throw invalid("'" + at + ".function.arguments' must be a JSON object", at + ".function.arguments");
    }
    ObjectNode block = json.createObjectNode().put("type", "tool_use")
        .put("id", call.path("id").asText())
        .put("name", function.path("name").asText());
    block.set("input", input);
    return block;
  }

  private static void stopSequences(JsonNode stop, ObjectNode body) {
    if (stop == null || stop.isNull()) {
      return;
    }
    ArrayNode sequences = body.putArray("stop_sequences");
    if (stop.isTextual()) {
      sequences.add(stop.asText());
    } else if (stop.isArray()) {
      stop.forEach(s -> sequences.add(s.asText()));
    } else {
      throw invalid("'stop' must be a string or an array of strings", "stop");
    }
  }

  private void tools(ObjectNode openAi, ObjectNode body) {
    JsonNode tools = openAi.path("tools");
    if (tools.isArray() && !tools.isEmpty()) {
      ArrayNode out = body.putArray("tools");
      for (int i = 0; i < tools.size(); i++) {
        JsonNode function = tools.get(i).path("function");
        if (!function.path("name").isTextual()) {
          throw invalid("'tools[" + i + "].function.name' is required", "tools[" + i + "].function.name");
        }
        ObjectNode tool = out.addObject().put("name", function.get("name").asText());
        if (function.path("description").isTextual()) {
          tool.put("description", function.get("description").asText());
        }
        JsonNode schema = function.path("parameters");
        tool.set("input_schema", schema.isObject() ? schema : json.createObjectNode().put("type", "object"));
      }
    }
    ObjectNode choice = toolChoice(openAi.get("tool_choice"));
    // Anthropic rejects a tool_choice without tools; OpenAI clients send "none" or "auto" regardless.
    if (choice != null && body.has("tools")) {
      if (openAi.path("parallel_tool_calls").isBoolean() && !openAi.get("parallel_tool_calls").asBoolean()
          && !choice.path("type").asText().equals("none")) {
        choice.put("disable_parallel_tool_use", true);
      }
      body.set("tool_choice", choice);
    }
  }

  private ObjectNode toolChoice(JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return null;
    }
    if (choice.isTextual()) {
      return switch (choice.asText()) {
        case "auto" -> json.createObjectNode().put("type", "auto");
        case "none" -> json.createObjectNode().put("type", "none");
        case "required" -> json.createObjectNode().put("type", "any");
        default -> throw invalid("'tool_choice' must be none, auto, required or a function", "tool_choice");
      };
    }
    JsonNode name = choice.path("function").path("name");
    if (!name.isTextual()) {
      throw invalid("'tool_choice.function.name' is required", "tool_choice.function.name");
    }
    return json.createObjectNode().put("type", "tool").put("name", name.asText());
  }

  private static void copyNumber(ObjectNode from, String field, ObjectNode to, String as) {
    if (from.path(field).isNumber()) {
      to.set(as, from.get(field));
    }
  }

  private static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }
}
