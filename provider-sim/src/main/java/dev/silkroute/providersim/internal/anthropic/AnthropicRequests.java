package dev.silkroute.providersim.internal.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.silkroute.providersim.internal.generation.ChatTurn;
import dev.silkroute.providersim.internal.generation.ChatTurn.ToolChoice;
import dev.silkroute.providersim.internal.http.ParsedRequest;
import dev.silkroute.providersim.internal.http.SimError;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Checks a Messages request body and reduces it to a {@link ChatTurn}. Like the real API, {@code
 * model}, {@code max_tokens} and a non-empty {@code messages} are required. The {@code
 * anthropic-version} header is not enforced.
 */
final class AnthropicRequests {

  private AnthropicRequests() {}

  static ParsedRequest parse(JsonNode root) {
    if (!root.isObject()) {
      return invalid("The request body must be a JSON object.");
    }
    JsonNode model = root.path("model");
    if (!model.isTextual() || model.asText().isBlank()) {
      return invalid("model: Field required");
    }
    JsonNode maxTokens = root.path("max_tokens");
    if (maxTokens.isMissingNode() || maxTokens.isNull()) {
      return invalid("max_tokens: Field required");
    }
    if (!maxTokens.canConvertToExactIntegral() || maxTokens.asLong() < 1) {
      return invalid("max_tokens: Input should be an integer greater than or equal to 1");
    }
    JsonNode messages = root.path("messages");
    if (!messages.isArray() || messages.isEmpty()) {
      return invalid("messages: Field required (a non-empty array)");
    }
    List<ChatTurn.Message> turnMessages = new ArrayList<>();
    String system = blocksText(root.path("system"));
    if (!system.isEmpty()) {
      turnMessages.add(new ChatTurn.Message("system", system, false));
    }
    for (int i = 0; i < messages.size(); i++) {
      JsonNode message = messages.get(i);
      String role = message.path("role").asText("");
      if (!role.equals("user") && !role.equals("assistant")) {
        return invalid("messages." + i + ".role: Input should be 'user' or 'assistant'");
      }
      boolean toolResult = false;
      for (JsonNode block : message.path("content")) {
        toolResult |= "tool_result".equals(block.path("type").asText());
      }
      turnMessages.add(new ChatTurn.Message(role, blocksText(message.path("content")), toolResult));
    }
    JsonNode stream = root.path("stream");
    if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
      return invalid("stream: Input should be a valid boolean");
    }
    List<ChatTurn.Tool> tools = new ArrayList<>();
    JsonNode toolNodes = root.path("tools");
    for (int i = 0; i < toolNodes.size(); i++) {
      JsonNode tool = toolNodes.get(i);
      if (!tool.path("name").isTextual()) {
        return invalid("tools." + i + ".name: Field required");
      }
      JsonNode schema = tool.path("input_schema");
      tools.add(new ChatTurn.Tool(tool.get("name").asText(),
          schema.isObject() ? schema : MissingNode.getInstance()));
    }
    JsonNode choice = root.path("tool_choice");
    ToolChoice toolChoice = switch (choice.path("type").asText("auto")) {
      case "auto" -> ToolChoice.AUTO;
      case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null);
      case "any" -> new ToolChoice(ToolChoice.Mode.ANY, null);
      case "tool" -> new ToolChoice(ToolChoice.Mode.NAMED, choice.path("name").asText(null));
      default -> null;
    };
    if (toolChoice == null) {
      return invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' or 'none'");
    }
    if (toolChoice.mode() == ToolChoice.Mode.NAMED
        && tools.stream().noneMatch(t -> t.name().equals(toolChoice.name()))) {
      return invalid("tool_choice.name: no tool named '" + toolChoice.name() + "' in tools");
    }
    if (toolChoice.mode() == ToolChoice.Mode.ANY && tools.isEmpty()) {
      return invalid("tool_choice: 'any' requires tools");
    }
    return new ParsedRequest.Valid(new ChatTurn(model.asText(), turnMessages, tools, toolChoice,
        OptionalLong.of(maxTokens.asLong()), stream.asBoolean(false), false));
  }

  /** Text of a string or of content blocks: text, tool_use name and input, tool_result content. */
  private static String blocksText(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode block : content) {
      switch (block.path("type").asText()) {
        case "text" -> text.append(block.path("text").asText()).append(' ');
        case "tool_use" -> text.append(block.path("name").asText()).append(' ')
            .append(block.path("input").toString()).append(' ');
        case "tool_result" -> text.append(blocksText(block.path("content"))).append(' ');
        default -> { }
      }
    }
    return text.toString().strip();
  }

  private static ParsedRequest invalid(String message) {
    return new ParsedRequest.Invalid(SimError.invalid(message, null));
  }
}
