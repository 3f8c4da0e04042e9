package dev.silkroute.router.responses;

import static dev.silkroute.router.responses.Fields.absent;
import static dev.silkroute.router.responses.Fields.invalid;
import static dev.silkroute.router.responses.Fields.optionalChoice;
import static dev.silkroute.router.responses.Fields.optionalString;
import static dev.silkroute.router.responses.Fields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A Responses {@code input} (a string, or a list of message, {@code function_call} and
 * {@code function_call_output} items) as chat messages: a function call joins the assistant turn
 * before it as a tool call, its output becomes a {@code tool} message. Items that only make sense
 * with state kept on the server are refused, naming the item.
 */
final class InputItems {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> ROLES = List.of("user", "assistant", "system", "developer");
  private static final List<String> DETAILS = List.of("auto", "low", "high");

  private InputItems() {
  }

  /** Appends the messages {@code input} stands for to {@code messages}. */
  static void appendTo(ArrayNode messages, JsonNode input) {
    if (absent(input)) {
      throw invalid("Missing required parameter: 'input'", "input");
    }
    if (input.isTextual()) {
      messages.addObject().put("role", "user").put("content", input.asText());
      return;
    }
    if (!input.isArray()) {
      throw invalid("Invalid type for 'input': expected a string or an array of input items", "input");
    }
    if (input.isEmpty()) {
      throw invalid("Invalid 'input': expected at least one item", "input");
    }
    int before = messages.size();
    for (int i = 0; i < input.size(); i++) {
      item(messages, input.get(i), "input[" + i + "]");
    }
    if (messages.size() == before) {
      throw invalid("Invalid 'input': expected at least one message, function_call or function_call_output item",
          "input");
    }
  }

  private static void item(ArrayNode messages, JsonNode item, String at) {
    if (!item.isObject()) {
      throw invalid("Invalid type for '" + at + "': expected an object", at);
    }
    // An easy input message ({"role", "content"}) may leave out its type.
    String type = item.has("type") ? optionalString(item, "type", at + ".type") : null;
    if (type == null) {
      if (!item.has("role")) {
        throw invalid("Missing required parameter: '" + at + ".type'", at + ".type");
      }
      type = "message";
    }
    switch (type) {
      case "message" -> message(messages, item, at);
      case "function_call" -> functionCall(messages, item, at);
      case "function_call_output" -> messages.addObject().put("role", "tool")
          .put("tool_call_id", requiredString(item, "call_id", at + ".call_id"))
          .put("content", output(item.get("output"), at + ".output"));
      // A reasoning item replayed by a stateless client: its (often encrypted) content belongs to the
      // server that wrote it and means nothing to another provider; the answer it led to is in the
      // items that follow.
      case "reasoning" -> { }
      case "item_reference" -> throw invalid("'" + at + "': item references need stored responses; Silkroute's "
          + "Responses API is stateless, so send the item itself", at + ".type");
      default -> throw invalid("Invalid value for '" + at + ".type': '" + type + "' items are not supported; send "
          + "message, function_call and function_call_output items", at + ".type");
    }
  }

  private static void message(ArrayNode messages, JsonNode item, String at) {
    String role = requiredString(item, "role", at + ".role");
    if (!ROLES.contains(role)) {
      throw invalid("Invalid value for '" + at + ".role': expected one of " + ROLES, at + ".role");
    }
    JsonNode content = item.get("content");
    if (absent(content)) {
      throw invalid("Missing required parameter: '" + at + ".content'", at + ".content");
    }
    ObjectNode message = messages.addObject().put("role", role);
    if (content.isTextual()) {
      message.put("content", content.asText());
    } else if (!content.isArray()) {
      throw invalid("Invalid type for '" + at + ".content': expected a string or an array of content parts",
          at + ".content");
    } else if (role.equals("assistant")) {
      // An earlier answer goes back as plain text, which every provider takes for an assistant turn.
      message.put("content", text(content, at + ".content"));
    } else {
      ArrayNode parts = message.putArray("content");
      for (int j = 0; j < content.size(); j++) {
        parts.add(part(content.get(j), at + ".content[" + j + "]"));
      }
    }
  }

  private static ObjectNode part(JsonNode part, String at) {
    if (!part.isObject()) {
      throw invalid("Invalid type for '" + at + "': expected an object", at);
    }
    String type = requiredString(part, "type", at + ".type");
    return switch (type) {
      case "input_text", "output_text" -> JSON.objectNode().put("type", "text")
          .put("text", requiredString(part, "text", at + ".text"));
      case "input_image" -> image(part, at);
      case "input_file" -> file(part, at);
      default -> throw invalid("Invalid value for '" + at + ".type': expected input_text, input_image or input_file",
          at + ".type");
    };
  }

  private static ObjectNode image(JsonNode part, String at) {
    if (!absent(part.get("file_id"))) {
      throw invalid("'" + at + ".file_id': uploaded files are not supported; send the image as 'image_url' "
          + "(a URL or a data: URL)", at + ".file_id");
    }
    String url = requiredString(part, "image_url", at + ".image_url");
    String detail = optionalChoice(part, "detail", at + ".detail", DETAILS);
    ObjectNode image = JSON.objectNode().put("type", "image_url");
    ObjectNode imageUrl = image.putObject("image_url").put("url", url);
    if (detail != null) {
      imageUrl.put("detail", detail);
    }
    return image;
  }

  private static ObjectNode file(JsonNode part, String at) {
    for (String field : List.of("file_id", "file_url")) {
      if (!absent(part.get(field))) {
        throw invalid("'" + at + "." + field + "' is not supported; send the file's content as 'file_data'",
            at + "." + field);
      }
    }
    ObjectNode file = JSON.objectNode().put("type", "file");
    ObjectNode body = file.putObject("file").put("file_data", requiredString(part, "file_data", at + ".file_data"));
    String filename = optionalString(part, "filename", at + ".filename");
    if (filename != null) {
      body.put("filename", filename);
    }
    return file;
  }

  /** The function call joins the assistant turn just before it, or starts one. */
  private static void functionCall(ArrayNode messages, JsonNode item, String at) {
    ObjectNode call = JSON.objectNode().put("id", requiredString(item, "call_id", at + ".call_id"))
        .put("type", "function");
    call.putObject("function").put("name", requiredString(item, "name", at + ".name"))
        .put("arguments", requiredString(item, "arguments", at + ".arguments"));
    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
    ObjectNode turn = last != null && last.path("role").asText().equals("assistant")
        ? (ObjectNode) last : messages.addObject().put("role", "assistant");
    (turn.has("tool_calls") ? (ArrayNode) turn.get("tool_calls") : turn.putArray("tool_calls")).add(call);
  }

  /** A function's output: a string, or text parts joined. */
  private static String output(JsonNode output, String at) {
    if (absent(output)) {
      throw invalid("Missing required parameter: '" + at + "'", at);
    }
    if (output.isTextual()) {
      return output.asText();
    }
    if (!output.isArray()) {
      throw invalid("Invalid type for '" + at + "': expected a string or an array of input_text parts", at);
    }
    return text(output, at);
  }

  /** The text of output_text, input_text and refusal parts, joined. */
  private static String text(JsonNode parts, String at) {
    StringBuilder text = new StringBuilder();
    for (int j = 0; j < parts.size(); j++) {
      JsonNode part = parts.get(j);
      String partAt = at + "[" + j + "]";
      if (!part.isObject()) {
        throw invalid("Invalid type for '" + partAt + "': expected an object", partAt);
      }
      String type = requiredString(part, "type", partAt + ".type");
      switch (type) {
        case "output_text", "input_text" -> text.append(requiredString(part, "text", partAt + ".text"));
        case "refusal" -> text.append(requiredString(part, "refusal", partAt + ".refusal"));
        default -> throw invalid("Invalid value for '" + partAt + ".type': expected output_text, input_text or "
            + "refusal here", partAt + ".type");
      }
    }
    return text.toString();
  }
}
