package dev.silkroute.billing.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body read as a JSON tree, so that every problem is answered with a 400 that names the
 * field. Binding straight to a record would silently turn {@code 1.5} into {@code 1} micro-USD.
 */
public final class JsonBody {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final JsonNode root;

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /** An absent or empty body counts as {@code {}}. */
  public static JsonBody parse(String body) {
    if (body == null || body.isBlank()) {
      return new JsonBody(MAPPER.createObjectNode());
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("Request body is not valid JSON: "
          + e.getOriginalMessage(), null);
    }
    if (root == null || !root.isObject()) {
      throw ApiException.badRequest("Request body must be a JSON object.", null);
    }
    return new JsonBody(root);
  }

  String requiredText(String field, int maxLength) {
    String value = optionalText(field, maxLength);
    if (value == null) {
      throw ApiException.badRequest(field + " is required.", field);
    }
    return value;
  }

  /** Trimmed; {@code null} when absent, null or blank. */
  String optionalText(String field, int maxLength) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest(field + " must be a string.", field);
    }
    String value = node.asText().trim();
    if (value.isEmpty()) {
      return null;
    }
    if (value.length() > maxLength) {
      throw ApiException.badRequest(field + " must be at most " + maxLength + " characters.", field);
    }
    if (value.indexOf('\u0000') >= 0) {
      throw ApiException.badRequest(field + " must not contain NUL characters.", field);
    }
    return value;
  }

  /** True when the field is present, even as {@code null}: PATCH tells "remove" from "keep". */
  boolean has(String field) {
    return root.has(field);
  }

  /** {@code null} when absent or null; otherwise a positive integer up to {@code max}. */
  Long nullablePositiveLong(String field, long max) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() <= 0
        || node.longValue() > max) {
      throw ApiException.badRequest(field + " must be a positive integer up to " + max
          + ", or null for no limit.", field);
    }
    return node.longValue();
  }

  /** {@code null} when absent or null; otherwise an array of strings. */
  List<String> nullableTextList(String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isArray()) {
      throw ApiException.badRequest(field + " must be an array of strings, or null.", field);
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual()) {
        throw ApiException.badRequest(field + " must be an array of strings, or null.", field);
      }
      values.add(item.asText().trim());
    }
    return values;
  }

  long requiredPositiveLong(String field) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      throw ApiException.badRequest(field + " is required.", field);
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() <= 0) {
      throw ApiException.badRequest(field + " must be a positive integer (micro-USD).", field);
    }
    return node.longValue();
  }
}
