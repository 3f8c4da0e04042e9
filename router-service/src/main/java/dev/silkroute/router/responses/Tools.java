package dev.silkroute.router.responses;

import static dev.silkroute.router.responses.Fields.absent;
import static dev.silkroute.router.responses.Fields.invalid;
import static dev.silkroute.router.responses.Fields.optionalString;
import static dev.silkroute.router.responses.Fields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's function tools and tool choice, from the Responses API's flat shape
 * ({@code {"type": "function", "name", "parameters"}}) to chat's nested one
 * ({@code {"type": "function", "function": {"name", "parameters"}}}). The built-in tools (web search,
 * file search, computer use, ...) run on OpenAI's side and are refused, naming the tool.
 *
 * @param chatTools  chat's {@code tools}, or null
 * @param chatChoice chat's {@code tool_choice}, or null
 * @param echo       the tools as the response object lists them
 * @param choiceEcho the tool choice as the response object shows it
 */
record Tools(ArrayNode chatTools, JsonNode chatChoice, ArrayNode echo, JsonNode choiceEcho) {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> MODES = List.of("none", "auto", "required");

  static Tools from(JsonNode tools, JsonNode choice) {
    ArrayNode chatTools = null;
    ArrayNode echo = JSON.arrayNode();
    Set<String> names = new HashSet<>();
    if (!absent(tools)) {
      if (!tools.isArray()) {
        throw invalid("Invalid type for 'tools': expected an array", "tools");
      }
      chatTools = JSON.arrayNode();
      for (int i = 0; i < tools.size(); i++) {
        String at = "tools[" + i + "]";
        ObjectNode function = function(tools.get(i), at);
        names.add(function.get("name").asText());
        chatTools.addObject().put("type", "function").set("function", function);
        echo.addObject().put("type", "function").put("name", function.get("name").asText())
            .put("description", function.path("description").asText(null))
            .set("parameters", function.has("parameters") ? function.get("parameters") : JSON.nullNode());
        ((ObjectNode) echo.get(i)).set("strict", function.has("strict") ? function.get("strict") : JSON.nullNode());
      }
    }
    if (absent(choice)) {
      return new Tools(chatTools, null, echo, JSON.textNode("auto"));
    }
    if (choice.isTextual()) {
      if (!MODES.contains(choice.asText())) {
        throw invalid("Invalid value for 'tool_choice': expected one of " + MODES + " or {\"type\": \"function\", "
            + "\"name\": ...}", "tool_choice");
      }
      if (choice.asText().equals("required") && names.isEmpty()) {
        throw invalid("Invalid value for 'tool_choice': 'required' needs 'tools'", "tool_choice");
      }
      return new Tools(chatTools, choice, echo, choice);
    }
    if (!choice.isObject()) {
      throw invalid("Invalid type for 'tool_choice': expected a string or an object", "tool_choice");
    }
    String type = requiredString(choice, "type", "tool_choice.type");
    if (!type.equals("function")) {
      throw invalid("Invalid value for 'tool_choice.type': only 'function' is supported (with function tools)",
          "tool_choice.type");
    }
    String name = requiredString(choice, "name", "tool_choice.name");
    if (!names.contains(name)) {
      throw invalid("Invalid value for 'tool_choice.name': no function named '" + name + "' in 'tools'",
          "tool_choice.name");
    }
    ObjectNode chatChoice = JSON.objectNode().put("type", "function");
    chatChoice.putObject("function").put("name", name);
    return new Tools(chatTools, chatChoice, echo, JSON.objectNode().put("type", "function").put("name", name));
  }

  void addTo(ObjectNode chat) {
    if (chatTools != null) {
      chat.set("tools", chatTools);
    }
    if (chatChoice != null) {
      chat.set("tool_choice", chatChoice);
    }
  }

  /** Chat's {@code function} object of one Responses function tool. */
  private static ObjectNode function(JsonNode tool, String at) {
    if (!tool.isObject()) {
      throw invalid("Invalid type for '" + at + "': expected an object", at);
    }
    String type = requiredString(tool, "type", at + ".type");
    if (!type.equals("function")) {
      throw invalid("Invalid value for '" + at + ".type': the built-in tool '" + type + "' is not supported; "
          + "Silkroute serves function tools only", at + ".type");
    }
    String name = requiredString(tool, "name", at + ".name");
    if (!name.matches("[a-zA-Z0-9_-]{1,64}")) {
      throw invalid("Invalid '" + at + ".name': expected 1 to 64 letters, digits, underscores or dashes", at + ".name");
    }
    ObjectNode function = JSON.objectNode().put("name", name);
    String description = optionalString(tool, "description", at + ".description");
    if (description != null) {
      function.put("description", description);
    }
    JsonNode parameters = tool.get("parameters");
    if (!absent(parameters)) {
      if (!parameters.isObject()) {
        throw invalid("Invalid type for '" + at + ".parameters': expected a JSON Schema object", at + ".parameters");
      }
      function.set("parameters", parameters);
    }
    JsonNode strict = tool.get("strict");
    if (!absent(strict)) {
      if (!strict.isBoolean()) {
        throw invalid("Invalid type for '" + at + ".strict': expected a boolean", at + ".strict");
      }
      function.set("strict", strict);
    }
    return function;
  }
}
