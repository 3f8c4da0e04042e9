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
 * into test resources openai/chat-schemas.json and openai/responses-schemas.json): a test checks
 * every answer, chunk, response, event and error against them, so "compatible" is measured, not assumed.
 */
public final class OpenAiSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode DOCUMENT = load("/openai/chat-schemas.json");
  private static final JsonNode RESPONSES = load("/openai/responses-schemas.json");
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  /** The Responses API's stream events the router sends, by {@code type}, with their schema's name. */
  private static final Map<String, String> EVENTS = Map.ofEntries(
      Map.entry("response.created", "ResponseCreatedEvent"),
      Map.entry("response.in_progress", "ResponseInProgressEvent"),
      Map.entry("response.completed", "ResponseCompletedEvent"),
      Map.entry("response.failed", "ResponseFailedEvent"),
      Map.entry("response.incomplete", "ResponseIncompleteEvent"),
      Map.entry("error", "ResponseErrorEvent"),
      Map.entry("response.output_item.added", "ResponseOutputItemAddedEvent"),
      Map.entry("response.output_item.done", "ResponseOutputItemDoneEvent"),
      Map.entry("response.content_part.added", "ResponseContentPartAddedEvent"),
      Map.entry("response.content_part.done", "ResponseContentPartDoneEvent"),
      Map.entry("response.output_text.delta", "ResponseTextDeltaEvent"),
      Map.entry("response.output_text.done", "ResponseTextDoneEvent"),
      Map.entry("response.function_call_arguments.delta", "ResponseFunctionCallArgumentsDeltaEvent"),
      Map.entry("response.function_call_arguments.done", "ResponseFunctionCallArgumentsDoneEvent"));

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

  /** A Responses API response object. */
  public static void assertResponse(JsonNode response) {
    assertValid(RESPONSES, "Response", response);
  }

  /** One Responses API stream event, against the schema its {@code type} names. */
  public static void assertResponseEvent(JsonNode event) {
    String schema = EVENTS.get(event.path("type").asText());
    assertThat(schema).as("a Responses event type OpenAI's spec has: %s", event).isNotNull();
    assertValid(RESPONSES, schema, event);
  }

  private static void assertValid(String schema, JsonNode value) {
    assertValid(DOCUMENT, schema, value);
  }

  private static void assertValid(JsonNode document, String schema, JsonNode value) {
    Set<ValidationMessage> problems = SCHEMAS.computeIfAbsent((document == DOCUMENT ? "chat:" : "responses:") + schema,
        key -> compile(document, schema)).validate(value);
    assertThat(problems).as("%s against OpenAI's %s schema", value, schema).isEmpty();
  }

  private static JsonSchema compile(JsonNode document, String name) {
    // The named definition as the root, with every other definition beside it for its $refs.
    var root = document.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("$ref", "#/$defs/" + name);
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
  }

  private static JsonNode load(String resource) {
    try (InputStream in = OpenAiSchemas.class.getResourceAsStream(resource)) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
