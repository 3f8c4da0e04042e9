package dev.silkroute.providersim.internal.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.silkroute.providersim.internal.generation.ChatTurn;
import dev.silkroute.providersim.internal.generation.ChatTurn.ToolChoice;
import dev.silkroute.providersim.internal.http.ParsedRequest;
import dev.silkroute.providersim.internal.http.SimError;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Checks a Chat Completions request body (CreateChatCompletionRequest) and reduces it to a {@link
 * ChatTurn}. Unknown fields are accepted, as OpenAI-compatible providers do; {@code n}, {@code stop},
 * sampling parameters and response formats are accepted and ignored.
 */
final class OpenAiRequests {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

  private OpenAiRequests() {}

  static ParsedRequest parse(JsonNode root) {
    if (!root.isObject()) {
      return invalid("The request body must be a JSON object.", null);
    }
    JsonNode model = root.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      return invalid("You must provide a model parameter.", "model");
    }
    JsonNode messages = root.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      return invalid("'messages' must be a non-empty array.", "messages");
    }
    List<ChatTurn.Message> turnMessages = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String role = message.path("role").asText("");
      if (!message.isObject() || !ROLES.contains(role)) {
        return invalid("Invalid value for 'messages[" + i + "].role': expected one of " + ROLES + ".",
            "messages[" + i + "].role");
      }
      turnMessages.add(new ChatTurn.Message(role, text(message), role.equals("tool") || role.equals("function")));
    }
    JsonNode stream = root.path("stream");
    if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
      return invalid("Invalid type for 'stream': expected a boolean.", "stream");
    }
    OptionalLong maxTokens = OptionalLong.empty();
    for (String field : new String[] {"max_tokens", "max_completion_tokens"}) {
      JsonNode max = root.path(field);
      if (max.isMissingNode() || max.isNull()) {
        continue;
      }
      if (!max.canConvertToExactIntegral() || max.asLong() < 1) {
        return invalid("Invalid '" + field + "': expected an integer >= 1.", field);
      }
      maxTokens = OptionalLong.of(max.asLong());
    }
    List<ChatTurn.Tool> tools = new ArrayList<>();
    JsonNode toolNodes = root.path("tools");
    if (!toolNodes.isMissingNode() && !toolNodes.isNull() && !toolNodes.isArray()) {
      return invalid("Invalid type for 'tools': expected an array.", "tools");
    }
    for (int i = 0; i < toolNodes.size(); i++) {
      JsonNode function = toolNodes.get(i).path("function");
      if (!function.path("name").isTextual()) {
        return invalid("Missing required parameter: 'tools[" + i + "].function.name'.",
            "tools[" + i + "].function.name");
      }
      JsonNode parameters = function.path("parameters");
      tools.add(new ChatTurn.Tool(function.get("name").asText(),
          parameters.isObject() ? parameters : MissingNode.getInstance()));
    }
    ToolChoice toolChoice;
    JsonNode choice = root.path("tool_choice");
    if (choice.isMissingNode() || choice.isNull() || choice.asText().equals("auto")) {
      toolChoice = ToolChoice.AUTO;
    } else if (choice.asText().equals("none")) {
      toolChoice = new ToolChoice(ToolChoice.Mode.NONE, null);
    } else if (choice.asText().equals("required")) {
      toolChoice = new ToolChoice(ToolChoice.Mode.ANY, null);
    } else if (choice.path("function").path("name").isTextual()) {
      String name = choice.path("function").path("name").asText();
      if (tools.stream().noneMatch(t -> t.name().equals(name))) {
        return invalid("Invalid value for 'tool_choice': no tool named '" + name + "' in 'tools'.",
            "tool_choice");
      }
      toolChoice = new ToolChoice(ToolChoice.Mode.NAMED, name);
    } else {
      return invalid("Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or "
          + "{\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
    }
    if (toolChoice.mode() != ToolChoice.Mode.AUTO && toolChoice.mode() != ToolChoice.Mode.NONE
        && tools.isEmpty()) {
      return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are "
          + "specified.", "tool_choice");
    }
    boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
    return new ParsedRequest.Valid(new ChatTurn(model.asText(), turnMessages, tools, toolChoice,
        maxTokens, stream.asBoolean(false), includeUsage));
  }

  /** Everything countable in a message: text content or parts, tool-call names and arguments. */
  private static String text(JsonNode message) {
    StringBuilder text = new StringBuilder();
    JsonNode content = message.path("content");
    if (content.isTextual()) {
      text.append(content.asText());
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        if (part.path("text").isTextual()) {
          text.append(part.get("text").asText()).append(' ');
        }
      }
    }
    for (JsonNode call : message.path("tool_calls")) {
      text.append(' ').append(call.path("function").path("name").asText())
          .append(' ').append(call.path("function").path("arguments").asText());
    }
    return text.toString().strip();
  }

  private static ParsedRequest invalid(String message, String param) {
    return new ParsedRequest.Invalid(SimError.invalid(message, param));
  }
}
