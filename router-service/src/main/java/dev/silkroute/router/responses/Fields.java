package dev.silkroute.router.responses;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;

/** Reading a request's fields, each failure a 400 that names the field, as OpenAI's API does. */
final class Fields {

  private Fields() {
  }

  static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }

  static boolean absent(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode();
  }

  static String requiredString(JsonNode parent, String field, String at) {
    JsonNode value = parent.get(field);
    if (absent(value)) {
      throw invalid("Missing required parameter: '" + at + "'", at);
    }
    if (!value.isTextual()) {
      throw invalid("Invalid type for '" + at + "': expected a string", at);
    }
    return value.asText();
  }

  /** The string, or null when the field is absent or null. */
  static String optionalString(JsonNode parent, String field, String at) {
    JsonNode value = parent.get(field);
    if (absent(value)) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalid("Invalid type for '" + at + "': expected a string", at);
    }
    return value.asText();
  }

  static void optionalBoolean(JsonNode parent, String field, String at) {
    JsonNode value = parent.get(field);
    if (!absent(value) && !value.isBoolean()) {
      throw invalid("Invalid type for '" + at + "': expected a boolean", at);
    }
  }

  static void optionalObject(JsonNode parent, String field, String at) {
    JsonNode value = parent.get(field);
    if (!absent(value) && !value.isObject()) {
      throw invalid("Invalid type for '" + at + "': expected an object", at);
    }
  }

  /** One of {@code allowed}, or null when absent. */
  static String optionalChoice(JsonNode parent, String field, String at, java.util.List<String> allowed) {
    String value = optionalString(parent, field, at);
    if (value != null && !allowed.contains(value)) {
      throw invalid("Invalid value for '" + at + "': expected one of " + allowed, at);
    }
    return value;
  }

  static void optionalInteger(JsonNode parent, String field, long min, long max) {
    JsonNode value = parent.get(field);
    if (!absent(value) && (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min
        || value.asLong() > max)) {
      throw invalid("Invalid '" + field + "': expected an integer from " + min + " to " + max, field);
    }
  }

  static void optionalNumber(JsonNode parent, String field, double min, double max) {
    JsonNode value = parent.get(field);
    if (!absent(value) && (!value.isNumber() || value.asDouble() < min || value.asDouble() > max)) {
      throw invalid("Invalid '" + field + "': expected a number from " + min + " to " + max, field);
    }
  }
}
