package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI's own schemas for what the router answers (extracted from their published OpenAPI spec
 * into test resources openai/chat-schemas.json): a test checks every answer, chunk and error
 * against them, so "compatible" is measured, not assumed.
 */
public final class OpenAiSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode DOCUMENT = load();
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenAiSchemas() {
  }

  public static void assertChatCompletion(JsonNode answer) {
    assertValid("CreateChatCompletionResponse", answer);
  }

  public static void assertChatCompletionChunk(JsonNode chunk) {
    assertValid("CreateChatCompletionStreamResponse", chunk);
  }

  public static void assertEmbeddingResponse(JsonNode answer) {
    assertValid("CreateEmbeddingResponse", answer);
  }

  /** OpenAI's error responses are {@code {"error": Error}}. */
  public static void assertError(JsonNode body) {
    assertThat(body.has("error")).as("error body %s", body).isTrue();
    assertValid("Error", body.get("error"));
  }

  private static void assertValid(String schema, JsonNode value) {
    Set<ValidationMessage> problems = SCHEMAS.computeIfAbsent(schema, OpenAiSchemas::compile).validate(value);
    assertThat(problems).as("%s against OpenAI's %s schema", value, schema).isEmpty();
  }

  private static JsonSchema compile(String name) {
    // The named definition as the root, with every other definition beside it for its $refs.
    var root = DOCUMENT.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("$ref", "#/$defs/" + name);
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
  }

  private static JsonNode load() {
    try (InputStream in = OpenAiSchemas.class.getResourceAsStream("/openai/chat-schemas.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
