package dev.silkroute.router.responses;

import static dev.silkroute.router.responses.Fields.absent;
import static dev.silkroute.router.responses.Fields.invalid;
import static dev.silkroute.router.responses.Fields.optionalChoice;
import static dev.silkroute.router.responses.Fields.optionalString;
import static dev.silkroute.router.responses.Fields.requiredString;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The Responses API's {@code text} ({@code format}: text, json_object or json_schema with the schema
 * beside {@code name}; {@code verbosity}) as chat's {@code response_format} (the schema nested under
 * {@code json_schema}) and {@code verbosity}.
 */
final class TextFormat {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private TextFormat() {
  }

  /** Sets chat's fields for {@code text}; answers the {@code text} the response object echoes. */
  static ObjectNode addTo(ObjectNode chat, JsonNode text) {
    ObjectNode echo = JSON.objectNode();
    if (absent(text)) {
      echo.putObject("format").put("type", "text");
      return echo;
    }
    if (!text.isObject()) {
      throw invalid("Invalid type for 'text': expected an object", "text");
    }
    String verbosity = optionalChoice(text, "verbosity", "text.verbosity", List.of("low", "medium", "high"));
    if (verbosity != null) {
      chat.put("verbosity", verbosity);
      echo.put("verbosity", verbosity);
    }
    JsonNode format = text.get("format");
    if (absent(format)) {
      echo.putObject("format").put("type", "text");
      return echo;
    }
    if (!format.isObject()) {
      throw invalid("Invalid type for 'text.format': expected an object", "text.format");
    }
    String type = requiredString(format, "type", "text.format.type");
    switch (type) {
      case "text" -> echo.putObject("format").put("type", "text");
      case "json_object" -> {
        chat.putObject("response_format").put("type", "json_object");
        echo.putObject("format").put("type", "json_object");
      }
      case "json_schema" -> echo.set("format", jsonSchema(chat, format));
      default -> throw invalid("Invalid value for 'text.format.type': expected text, json_object or json_schema",
          "text.format.type");
    }
    return echo;
  }

  private static ObjectNode jsonSchema(ObjectNode chat, JsonNode format) {
    String name = requiredString(format, "name", "text.format.name");
    JsonNode schema = format.get("schema");
    if (absent(schema)) {
      throw invalid("Missing required parameter: 'text.format.schema'", "text.format.schema");
    }
    if (!schema.isObject()) {
      throw invalid("Invalid type for 'text.format.schema': expected a JSON Schema object", "text.format.schema");
    }
    JsonNode strict = format.get("strict");
    if (!absent(strict) && !strict.isBoolean()) {
      throw invalid("Invalid type for 'text.format.strict': expected a boolean", "text.format.strict");
    }
    String description = optionalString(format, "description", "text.format.description");
    ObjectNode jsonSchema = chat.putObject("response_format").put("type", "json_schema").putObject("json_schema");
    jsonSchema.put("name", name).set("schema", schema);
    ObjectNode echo = JSON.objectNode().put("type", "json_schema").put("name", name);
    echo.set("schema", schema);
    if (description != null) {
      jsonSchema.put("description", description);
      echo.put("description", description);
    }
    if (!absent(strict)) {
      jsonSchema.set("strict", strict);
      echo.set("strict", strict);
    }
    return echo;
  }
}
