package dev.silkroute.router.messages;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import java.util.List;
import java.util.Set;

/**
 * Translates an Anthropic Messages request into the OpenAI-shaped chat request the router serves:
 * {@code system} becomes a system message, {@code tool_use} blocks an assistant's {@code tool_calls},
 * {@code tool_result} blocks tool messages (ahead of the rest of their user turn, where OpenAI wants
 * them), images data or plain URLs, {@code thinking} OpenRouter's {@code reasoning} budget.
 *
 * <p>Checks what Anthropic's API checks and names the field at fault the way it does
 * ({@code messages.1.content.0.type: ...}). Thinking blocks a client sends back are dropped: no
 * provider behind the router can verify their signatures. Unknown top-level fields are ignored, so a
 * client newer than this translation still gets served; OpenRouter's routing fields ({@code provider},
 * {@code models}, {@code route}) pass through to the router.
 */
final class AnthropicRequest {

  private static final Set<String> ROUTING_FIELDS = Set.of("provider", "models", "route", "session_id");

  private final ObjectMapper json;

  AnthropicRequest(ObjectMapper json) {
    this.json = json;
  }

  /** The body as JSON, or a 400 saying why it is not an object. */
  ObjectNode read(byte[] body) {
    JsonNode root;
    try {
      root = json.readTree(body == null ? new byte[0] : body);
    } catch (JsonProcessingException e) {
      throw invalid("The request body is not valid JSON: " + e.getOriginalMessage(), null);
    } catch (java.io.IOException e) {
      throw invalid("The request body could not be read", null);
    }
    if (root == null || !root.isObject()) {
      throw invalid("The request body must be a JSON object", null);
    }
    return (ObjectNode) root;
  }

  /** A {@code /v1/messages} request as an OpenAI chat request. */
  ObjectNode toChat(ObjectNode request) {
    ObjectNode chat = prompt(request, true);
    JsonNode maxTokens = request.get("max_tokens");
    if (maxTokens == null || maxTokens.isNull()) {
      throw invalid("max_tokens: Field required", "max_tokens");
    }
    if (!maxTokens.canConvertToExactIntegral() || !maxTokens.canConvertToLong() || maxTokens.asLong() < 1) {
      throw invalid("max_tokens: Input should be a positive integer", "max_tokens");
    }
    chat.put("max_tokens", maxTokens.asLong());
    JsonNode stream = request.get("stream");
    if (stream != null && !stream.isNull()) {
      if (!stream.isBoolean()) {
        throw invalid("stream: Input should be a valid boolean", "stream");
      }
      chat.put("stream", stream.asBoolean());
      if (stream.asBoolean()) {
        chat.putObject("stream_options").put("include_usage", true);
      }
    }
    number(request, "temperature", 0, 1, chat, "temperature");
    number(request, "top_p", 0, 1, chat, "top_p");
    JsonNode topK = request.get("top_k");
    if (topK != null && !topK.isNull()) {
      if (!topK.canConvertToExactIntegral() || !topK.canConvertToLong() || topK.asLong() < 0) {
        throw invalid("top_k: Input should be a non-negative integer", "top_k");
      }
      chat.put("top_k", topK.asLong());
    }
    stopSequences(request.get("stop_sequences"), chat);
    thinking(request.get("thinking"), chat);
    metadata(request.get("metadata"), chat);
    for (String field : ROUTING_FIELDS) {
      if (request.hasNonNull(field)) {
        chat.set(field, request.get(field));
      }
    }
    return chat;
  }

  /**
   * Model, system, messages, tools and tool choice as an OpenAI chat request: all that
   * {@code count_tokens} reads, and the start of every translation.
   */
  ObjectNode prompt(ObjectNode request, boolean forGeneration) {
    ObjectNode chat = json.createObjectNode();
    JsonNode model = request.get("model");
    if (model == null || model.isNull()) {
      throw invalid("model: Field required", "model");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw invalid("model: Input should be a non-empty string", "model");
    }
    chat.put("model", model.asText());
    ArrayNode messages = chat.putArray("messages");
    system(request.get("system"), "system", messages);
    JsonNode turns = request.get("messages");
    if (turns == null || turns.isNull()) {
      throw invalid("messages: Field required", "messages");
    }
    if (!turns.isArray()) {
      throw invalid("messages: Input should be a valid list", "messages");
    }
    if (turns.isEmpty() && forGeneration) {
      throw invalid("messages: at least one message is required", "messages");
    }
    for (int i = 0; i < turns.size(); i++) {
      turn(turns.get(i), "messages." + i, messages);
    }
    if (messages.isEmpty()) {
      throw invalid("messages: at least one message with content is required", "messages");
    }
    tools(request.get("tools"), chat);
    toolChoice(request.get("tool_choice"), chat);
    return chat;
  }

  private void system(JsonNode system, String systemAt, ArrayNode messages) {
    if (system == null || system.isNull()) {
      return;
    }
    if (system.isTextual()) {
      if (!system.asText().isEmpty()) {
        messages.addObject().put("role", "system").put("content", system.asText());
      }
      return;
    }
    if (!system.isArray()) {
      throw invalid(systemAt + ": Input should be a string or a list of text blocks", systemAt);
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < system.size(); i++) {
      String at = systemAt + "." + i;
      JsonNode block = system.get(i);
      requireType(block, at, Set.of("text"));
      text.append(text.length() > 0 ? "\n\n" : "").append(textOf(block, at));
    }
    if (text.length() > 0) {
      messages.addObject().put("role", "system").put("content", text.toString());
    }
  }

  private void turn(JsonNode turn, String at, ArrayNode messages) {
    if (!turn.isObject()) {
      throw invalid(at + ": Input should be an object", at);
    }
    JsonNode role = turn.get("role");
    if (role == null || !role.isTextual() || !List.of("user", "assistant", "system").contains(role.asText())) {
      throw invalid(at + ".role: Input should be 'user', 'assistant' or 'system'", at + ".role");
    }
    if (role.asText().equals("system")) {
      // Newer clients may put system text among the turns; as a top-level system, it is text only.
      if (turn.get("content") == null || turn.get("content").isNull()) {
        throw invalid(at + ".content: Field required", at + ".content");
      }
      system(turn.get("content"), at + ".content", messages);
      return;
    }
    JsonNode content = turn.get("content");
    if (content == null || content.isNull()) {
      throw invalid(at + ".content: Field required", at + ".content");
    }
    if (content.isTextual()) {
      messages.addObject().put("role", role.asText()).put("content", content.asText());
      return;
    }
    if (!content.isArray()) {
      throw invalid(at + ".content: Input should be a string or a list of content blocks", at + ".content");
    }
    if (role.asText().equals("user")) {
      userTurn(content, at + ".content", messages);
    } else {
      assistantTurn(content, at + ".content", messages);
    }
  }

  /** Tool results first, as OpenAI's tool messages that follow the assistant's calls; then the rest. */
  private void userTurn(JsonNode blocks, String at, ArrayNode messages) {
    ArrayNode parts = json.createArrayNode();
    for (int j = 0; j < blocks.size(); j++) {
      String blockAt = at + "." + j;
      JsonNode block = blocks.get(j);
      String type = requireType(block, blockAt, Set.of("text", "image", "tool_result", "document"));
      switch (type) {
        case "text" -> parts.addObject().put("type", "text").put("text", textOf(block, blockAt));
        case "image" -> parts.add(image(block, blockAt));
        case "tool_result" -> messages.add(toolResult(block, blockAt));
        default -> throw invalid(blockAt + ".type: '" + type + "' blocks are not supported by this router",
            blockAt + ".type");
      }
    }
    if (!parts.isEmpty()) {
      messages.addObject().put("role", "user").set("content", parts);
    }
  }

  private void assistantTurn(JsonNode blocks, String at, ArrayNode messages) {
    StringBuilder text = new StringBuilder();
    ArrayNode calls = json.createArrayNode();
    for (int j = 0; j < blocks.size(); j++) {
      String blockAt = at + "." + j;
      JsonNode block = blocks.get(j);
      String type = requireType(block, blockAt, Set.of("text", "tool_use", "thinking", "redacted_thinking"));
      switch (type) {
        case "text" -> text.append(textOf(block, blockAt));
        case "tool_use" -> calls.add(toolCall(block, blockAt));
        default -> {
          // thinking, redacted_thinking: the provider that wrote them is not necessarily the next one.
        }
      }
    }
    if (text.isEmpty() && calls.isEmpty()) {
      return;
    }
    ObjectNode message = messages.addObject().put("role", "assistant");
    if (text.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text.toString());
    }
    if (!calls.isEmpty()) {
      message.set("tool_calls", calls);
    }
  }

  private ObjectNode toolCall(JsonNode block, String at) {
    String id = requiredText(block, "id", at);
    String name = requiredText(block, "name", at);
    JsonNode input = block.get("input");
    if (input == null || !input.isObject()) {
      throw invalid(at + ".input: Input should be an object", at + ".input");
    }
    ObjectNode call = json.createObjectNode().put("id", id).put("type", "function");
    call.putObject("function").put("name", name).put("arguments", input.toString());
    return call;
  }

  private ObjectNode toolResult(JsonNode block, String at) {
    ObjectNode message = json.createObjectNode().put("role", "tool")
        .put("tool_call_id", requiredText(block, "tool_use_id", at));
    JsonNode content = block.get("content");
    String text;
    if (content == null || content.isNull()) {
      text = "";
    } else if (content.isTextual()) {
      text = content.asText();
    } else if (content.isArray()) {
      StringBuilder joined = new StringBuilder();
      for (int k = 0; k < content.size(); k++) {
        String partAt = at + ".content." + k;
        JsonNode part = content.get(k);
        String type = requireType(part, partAt, Set.of("text", "image"));
        if (type.equals("text")) {
          joined.append(joined.length() > 0 ? "\n" : "").append(textOf(part, partAt));
        } else {
          image(part, partAt); // checked; OpenAI's tool messages carry text only
        }
      }
      text = joined.toString();
    } else {
      throw invalid(at + ".content: Input should be a string or a list of content blocks", at + ".content");
    }
    JsonNode isError = block.get("is_error");
    if (isError != null && !isError.isNull() && !isError.isBoolean()) {
      throw invalid(at + ".is_error: Input should be a valid boolean", at + ".is_error");
    }
    // OpenAI's tool message has no error flag: the model reads it from the text, as Anthropic's would.
    message.put("content", isError != null && isError.asBoolean() ? "Error: " + text : text);
    return message;
  }

  private ObjectNode image(JsonNode block, String at) {
    JsonNode source = block.get("source");
    if (source == null || !source.isObject()) {
      throw invalid(at + ".source: Field required", at + ".source");
    }
    String type = requiredText(source, "type", at + ".source");
    String url = switch (type) {
      case "base64" -> {
        String mediaType = requiredText(source, "media_type", at + ".source");
        if (!Set.of("image/jpeg", "image/png", "image/gif", "image/webp").contains(mediaType)) {
          throw invalid(at + ".source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or "
              + "'image/webp'", at + ".source.media_type");
        }
        yield "data:" + mediaType + ";base64," + requiredText(source, "data", at + ".source");
      }
      case "url" -> requiredText(source, "url", at + ".source");
      default -> throw invalid(at + ".source.type: Input should be 'base64' or 'url'", at + ".source.type");
    };
    ObjectNode part = json.createObjectNode().put("type", "image_url");
    part.putObject("image_url").put("url", url);
    return part;
  }

  private void tools(JsonNode tools, ObjectNode chat) {
    if (tools == null || tools.isNull()) {
      return;
    }
    if (!tools.isArray()) {
      throw invalid("tools: Input should be a valid list", "tools");
    }
    if (tools.isEmpty()) {
      return;
    }
    ArrayNode out = chat.putArray("tools");
    for (int i = 0; i < tools.size(); i++) {
      String at = "tools." + i;
      JsonNode tool = tools.get(i);
      if (!tool.isObject()) {
        throw invalid(at + ": Input should be an object", at);
      }
      JsonNode type = tool.get("type");
      if (type != null && !type.isNull() && !(type.isTextual() && type.asText().equals("custom"))) {
        throw invalid(at + ".type: only custom tools (no type, or 'custom') are supported by this router; "
            + "server tools such as '" + type.asText() + "' are not", at + ".type");
      }
      String name = requiredText(tool, "name", at);
      JsonNode schema = tool.get("input_schema");
      if (schema == null || !schema.isObject()) {
        throw invalid(at + ".input_schema: Input should be an object (a JSON schema)", at + ".input_schema");
      }
      ObjectNode function = out.addObject().put("type", "function").putObject("function").put("name", name);
      JsonNode description = tool.get("description");
      if (description != null && !description.isNull()) {
        if (!description.isTextual()) {
          throw invalid(at + ".description: Input should be a valid string", at + ".description");
        }
        function.put("description", description.asText());
      }
      function.set("parameters", schema);
    }
  }

  private void toolChoice(JsonNode choice, ObjectNode chat) {
    if (choice == null || choice.isNull()) {
      return;
    }
    if (!choice.isObject()) {
      throw invalid("tool_choice: Input should be an object", "tool_choice");
    }
    String type = requiredText(choice, "type", "tool_choice");
    boolean hasTools = chat.has("tools");
    switch (type) {
      case "auto" -> chat.put("tool_choice", "auto");
      case "none" -> chat.put("tool_choice", "none");
      case "any" -> chat.put("tool_choice", "required");
      case "tool" -> {
        String name = requiredText(choice, "name", "tool_choice");
        boolean known = false;
        for (JsonNode tool : chat.path("tools")) {
          known |= tool.path("function").path("name").asText().equals(name);
        }
        if (!known) {
          throw invalid("tool_choice.name: no tool named '" + name + "' in tools", "tool_choice.name");
        }
        chat.putObject("tool_choice").put("type", "function").putObject("function").put("name", name);
      }
      default -> throw invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'",
          "tool_choice.type");
    }
    if (!hasTools && !type.equals("none") && !type.equals("auto")) {
      throw invalid("tool_choice: requires tools", "tool_choice");
    }
    if (!hasTools) {
      chat.remove("tool_choice"); // OpenAI-compatible providers refuse a choice without tools
    }
    JsonNode disableParallel = choice.get("disable_parallel_tool_use");
    if (disableParallel != null && !disableParallel.isNull()) {
      if (!disableParallel.isBoolean()) {
        throw invalid("tool_choice.disable_parallel_tool_use: Input should be a valid boolean",
            "tool_choice.disable_parallel_tool_use");
      }
      if (disableParallel.asBoolean() && hasTools) {
        chat.put("parallel_tool_calls", false);
      }
    }
  }

  private static void stopSequences(JsonNode stop, ObjectNode chat) {
    if (stop == null || stop.isNull()) {
      return;
    }
    if (!stop.isArray()) {
      throw invalid("stop_sequences: Input should be a valid list", "stop_sequences");
    }
    ArrayNode out = chat.putArray("stop");
    for (int i = 0; i < stop.size(); i++) {
      if (!stop.get(i).isTextual() || stop.get(i).asText().isEmpty()) {
        throw invalid("stop_sequences." + i + ": Input should be a non-empty string", "stop_sequences." + i);
      }
      out.add(stop.get(i).asText());
    }
    if (out.isEmpty()) {
      chat.remove("stop");
    }
  }

  /** Anthropic's thinking budget as OpenRouter's reasoning budget, which reasoning models honour. */
  private static void thinking(JsonNode thinking, ObjectNode chat) {
    if (thinking == null || thinking.isNull()) {
      return;
    }
    if (!thinking.isObject()) {
      throw invalid("thinking: Input should be an object", "thinking");
    }
    String type = requiredText(thinking, "type", "thinking");
    switch (type) {
      case "enabled" -> {
        JsonNode budget = thinking.get("budget_tokens");
        if (budget == null || !budget.canConvertToExactIntegral() || !budget.canConvertToLong()
            || budget.asLong() < 1) {
          throw invalid("thinking.budget_tokens: Input should be a positive integer", "thinking.budget_tokens");
        }
        if (budget.asLong() >= chat.path("max_tokens").asLong(Long.MAX_VALUE)) {
          throw invalid("thinking.budget_tokens: must be less than max_tokens", "thinking.budget_tokens");
        }
        chat.putObject("reasoning").put("max_tokens", budget.asLong());
      }
      case "disabled" -> chat.putObject("reasoning").put("enabled", false);
      // The model decides how long to think: OpenRouter's reasoning switch without a budget.
      case "adaptive", "between_tools" -> chat.putObject("reasoning").put("enabled", true);
      default -> throw invalid("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'",
          "thinking.type");
    }
  }

  private static void metadata(JsonNode metadata, ObjectNode chat) {
    if (metadata == null || metadata.isNull()) {
      return;
    }
    if (!metadata.isObject()) {
      throw invalid("metadata: Input should be an object", "metadata");
    }
    JsonNode user = metadata.get("user_id");
    if (user != null && !user.isNull()) {
      if (!user.isTextual()) {
        throw invalid("metadata.user_id: Input should be a valid string", "metadata.user_id");
      }
      chat.put("user", user.asText());
    }
  }

  private static void number(ObjectNode request, String field, double min, double max, ObjectNode chat,
                             String as) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber() || !(value.asDouble() >= min) || !(value.asDouble() <= max)) {
      throw invalid(field + ": Input should be a number from " + min + " to " + max, field);
    }
    chat.set(as, value);
  }

  private static String requireType(JsonNode block, String at, Set<String> allowed) {
    if (!block.isObject()) {
      throw invalid(at + ": Input should be an object", at);
    }
    JsonNode type = block.get("type");
    if (type == null || !type.isTextual()) {
      throw invalid(at + ".type: Field required", at + ".type");
    }
    if (!allowed.contains(type.asText())) {
      throw invalid(at + ".type: Input should be one of " + allowed.stream().sorted().toList(), at + ".type");
    }
    return type.asText();
  }

  private static String textOf(JsonNode block, String at) {
    JsonNode text = block.get("text");
    if (text == null || !text.isTextual()) {
      throw invalid(at + ".text: Input should be a valid string", at + ".text");
    }
    return text.asText();
  }

  private static String requiredText(JsonNode node, String field, String at) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw invalid(at + "." + field + ": Field required", at + "." + field);
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw invalid(at + "." + field + ": Input should be a non-empty string", at + "." + field);
    }
    return value.asText();
  }

  static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }
}
