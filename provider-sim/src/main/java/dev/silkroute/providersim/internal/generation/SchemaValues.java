package dev.silkroute.providersim.internal.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates a JSON value that satisfies a JSON schema well enough for tool-call arguments: {@code const},
 * {@code enum}, {@code anyOf}/{@code oneOf}/{@code allOf} (first branch), types string (with common
 * formats and length bounds), number and integer (with bounds), boolean, null, array (with item
 * bounds) and object (every declared property, so all required ones are present). {@code $ref} and
 * {@code pattern} are not followed; such values come out as plain strings or empty objects.
 */
final class SchemaValues {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Deep or recursive schemas end in empty containers instead of overflowing the stack. */
  private static final int MAX_DEPTH = 8;

  private SchemaValues() {}

  static JsonNode generate(JsonNode schema, SplittableRandom random) {
    return value(schema, random, 0);
  }

  private static JsonNode value(JsonNode schema, SplittableRandom random, int depth) {
    if (schema == null || !schema.isObject()) {
      return NODES.objectNode();
    }
    if (schema.has("const")) {
      return schema.get("const");
    }
    JsonNode options = schema.get("enum");
    if (options != null && options.isArray() && !options.isEmpty()) {
      return options.get(random.nextInt(options.size()));
    }
    for (String combinator : new String[] {"anyOf", "oneOf", "allOf"}) {
      JsonNode branches = schema.get(combinator);
      if (branches != null && branches.isArray() && !branches.isEmpty()) {
        return value(firstNotNull(branches), random, depth + 1);
      }
    }
    return switch (type(schema)) {
      case "object" -> object(schema, random, depth);
      case "array" -> array(schema, random, depth);
      case "integer" -> NODES.numberNode(integer(schema, random));
      case "number" -> NODES.numberNode(number(schema, random));
      case "boolean" -> NODES.booleanNode(random.nextBoolean());
      case "null" -> NODES.nullNode();
      default -> NODES.textNode(string(schema, random));
    };
  }

  private static JsonNode firstNotNull(JsonNode branches) {
    for (JsonNode branch : branches) {
      if (!"null".equals(branch.path("type").asText())) {
        return branch;
      }
    }
    return branches.get(0);
  }

  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray()) {
      for (JsonNode t : type) {
        if (!"null".equals(t.asText())) {
          return t.asText();
        }
      }
    }
    if (schema.has("properties")) {
      return "object";
    }
    return schema.has("items") ? "array" : "string";
  }

  private static ObjectNode object(JsonNode schema, SplittableRandom random, int depth) {
    ObjectNode object = NODES.objectNode();
    if (depth >= MAX_DEPTH) {
      return object;
    }
    Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
    while (properties.hasNext()) {
      Map.Entry<String, JsonNode> property = properties.next();
      object.set(property.getKey(), value(property.getValue(), random, depth + 1));
    }
    // A required name without a declared schema still has to be present.
    for (JsonNode required : schema.path("required")) {
      if (!object.has(required.asText())) {
        object.put(required.asText(), Vocabulary.word(random));
      }
    }
    return object;
  }

  private static ArrayNode array(JsonNode schema, SplittableRandom random, int depth) {
    ArrayNode array = NODES.arrayNode();
    if (depth >= MAX_DEPTH) {
      return array;
    }
    int min = schema.path("minItems").asInt(0);
    int max = schema.path("maxItems").asInt(Math.max(min, 3));
    int count = Math.max(min, Math.min(max, 1 + random.nextInt(2)));
    for (int i = 0; i < count; i++) {
      array.add(value(schema.get("items"), random, depth + 1));
    }
    return array;
  }

  private static long integer(JsonNode schema, SplittableRandom random) {
    long min = schema.has("minimum") ? (long) Math.ceil(schema.get("minimum").asDouble())
        : schema.has("exclusiveMinimum") ? (long) Math.floor(schema.get("exclusiveMinimum").asDouble()) + 1
        : 0;
    long max = schema.has("maximum") ? (long) Math.floor(schema.get("maximum").asDouble())
        : schema.has("exclusiveMaximum") ? (long) Math.ceil(schema.get("exclusiveMaximum").asDouble()) - 1
        : min + 100;
    return max <= min ? min : min + random.nextLong(max - min + 1);
  }

  private static double number(JsonNode schema, SplittableRandom random) {
    double min = schema.path("minimum").asDouble(schema.path("exclusiveMinimum").asDouble(0));
    double max = schema.path("maximum").asDouble(schema.path("exclusiveMaximum").asDouble(min + 100));
    if (max <= min) {
      return min;
    }
    double value = BigDecimal.valueOf(min + random.nextDouble() * (max - min))
        .setScale(2, RoundingMode.DOWN).doubleValue();
    // Rounding can land on an exclusive bound; the midpoint is always inside.
    return value > min && value < max ? value : (min + max) / 2;
  }

  private static String string(JsonNode schema, SplittableRandom random) {
    String word = Vocabulary.word(random);
    String text = switch (schema.path("format").asText("")) {
      case "date-time" -> "2025-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10) + "T12:00:00Z";
      case "date" -> "2025-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10);
      case "time" -> "12:" + (10 + random.nextInt(50)) + ":00";
      case "email" -> word + "@example.com";
      case "uri", "url" -> "https://example.com/" + word;
      case "uuid" -> new java.util.UUID(random.nextLong(), random.nextLong()).toString();
      default -> word + " " + Vocabulary.word(random);
    };
    int minLength = schema.path("minLength").asInt(0);
    int maxLength = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    StringBuilder bounded = new StringBuilder(text);
    while (bounded.length() < minLength) {
      bounded.append('x');
    }
    return bounded.length() > maxLength ? bounded.substring(0, maxLength) : bounded.toString();
  }
}
