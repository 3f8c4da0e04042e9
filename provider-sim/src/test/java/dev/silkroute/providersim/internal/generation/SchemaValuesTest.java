package dev.silkroute.providersim.internal.generation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SchemaValuesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void generatesEveryRequiredPropertyWithItsTypeAndBounds() throws Exception {
    JsonNode schema = JSON.readTree("""
        {"type": "object", "required": ["id", "count", "ratio", "kind", "when", "nested", "extra"],
         "properties": {
           "id": {"type": "string", "maxLength": 5},
           "count": {"type": "integer", "exclusiveMinimum": 10, "maximum": 12},
           "ratio": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
           "kind": {"anyOf": [{"type": "null"}, {"enum": ["a", "b"]}]},
           "when": {"type": "string", "format": "date-time"},
           "fixed": {"const": 3},
           "nested": {"type": "object", "properties": {"ok": {"type": "boolean"},
             "list": {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 3}}}}}
        """);

    for (long seed = 0; seed < 50; seed++) {
      JsonNode value = SchemaValues.generate(schema, new SplittableRandom(seed));
      assertThat(value.path("id").asText()).hasSizeLessThanOrEqualTo(5);
      assertThat(value.path("count").asLong()).isBetween(11L, 12L);
      assertThat(value.path("ratio").isNumber()).isTrue();
      assertThat(value.path("ratio").asDouble()).isBetween(0.0, 1.0);
      assertThat(value.path("kind").asText()).isIn("a", "b");
      assertThat(value.path("when").asText()).matches("\\d{4}-\\d{2}-\\d{2}T12:00:00Z");
      assertThat(value.path("fixed").asInt()).isEqualTo(3);
      assertThat(value.path("nested").path("ok").isBoolean()).isTrue();
      assertThat(value.path("nested").path("list")).hasSize(3).allMatch(JsonNode::isIntegralNumber);
      assertThat(value.has("extra")).as("required without a schema").isTrue();
    }
  }

  @Test
  void sameSeedSameValue() throws Exception {
    JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}");

    assertThat(SchemaValues.generate(schema, new SplittableRandom(7)))
        .isEqualTo(SchemaValues.generate(schema, new SplittableRandom(7)));
  }

  @Test
  void recursiveSchemasEndInsteadOfOverflowing() throws Exception {
    String deep = "{\"type\":\"object\",\"properties\":{\"child\":%s}}";
    String schema = "{\"type\":\"object\"}";
    for (int i = 0; i < 30; i++) {
      schema = deep.formatted(schema);
    }

    JsonNode value = SchemaValues.generate(JSON.readTree(schema), new SplittableRandom(1));

    assertThat(value.path("child").isObject()).isTrue();
  }
}
