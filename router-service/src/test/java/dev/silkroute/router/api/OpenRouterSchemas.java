package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * OpenRouter's own schemas for what the router answers under {@code /api/v1}: extracted from the
 * OpenAPI document its SDK is generated from into test resources openrouter/schemas.json (see
 * openrouter/README.md there), so OpenRouter parity is measured, not assumed.
 */
public final class OpenRouterSchemas {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNode DOCUMENT = load();
  private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

  private OpenRouterSchemas() {
  }

  /** {@code GET /models}. */
  public static void assertModelsList(JsonNode answer) {
    assertValid("ModelsListResponse", answer);
  }

  /** {@code GET /model/{author}/{slug}}. */
  public static void assertModel(JsonNode answer) {
    assertValid("ModelResponse", answer);
  }

  /** {@code GET /models/{author}/{slug}/endpoints}. */
  public static void assertEndpoints(JsonNode answer) {
    assertValid("ListEndpointsEnvelope", answer);
  }

  /** {@code GET /generation?id=}. */
  public static void assertGeneration(JsonNode answer) {
    assertValid("GenerationResponse", answer);
  }

  /** {@code GET /credits}. */
  public static void assertCredits(JsonNode answer) {
    assertValid("GetCreditsResponse", answer);
  }

  /** {@code GET /key}. */
  public static void assertKey(JsonNode answer) {
    assertValid("GetCurrentKeyResponse", answer);
  }

  /** An error answer with its status, against OpenRouter's schema of that status's body. */
  public static void assertError(int status, JsonNode body) {
    String schema = switch (status) {
      case 400 -> "BadRequestResponse";
      case 401 -> "UnauthorizedResponse";
      case 402 -> "PaymentRequiredResponse";
      case 403 -> "ForbiddenResponse";
      case 404 -> "NotFoundResponse";
      case 429 -> "TooManyRequestsResponse";
      case 502 -> "BadGatewayResponse";
      case 503 -> "ServiceUnavailableResponse";
      default -> "InternalServerResponse";
    };
    assertValid(schema, body);
    assertThat(body.at("/error/code").asInt()).as("error.code of %s", body).isEqualTo(status);
  }

  /** Whether {@code value} is valid against the named schema (for tests that expect it not to be). */
  public static boolean isValid(String schema, JsonNode value) {
    return SCHEMAS.computeIfAbsent(schema, OpenRouterSchemas::compile).validate(value).isEmpty();
  }

  private static void assertValid(String schema, JsonNode value) {
    Set<ValidationMessage> problems = SCHEMAS.computeIfAbsent(schema, OpenRouterSchemas::compile).validate(value);
    assertThat(problems).as("%s against OpenRouter's %s schema", value, schema).isEmpty();
  }

  private static JsonSchema compile(String name) {
    assertThat(DOCUMENT.path("$defs").has(name)).as("schema %s in openrouter/schemas.json", name).isTrue();
    // The named definition as the root, with every other definition beside it for its $refs.
    ObjectNode root = DOCUMENT.deepCopy();
    root.put("$ref", "#/$defs/" + name);
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
  }

  private static JsonNode load() {
    try (InputStream in = OpenRouterSchemas.class.getResourceAsStream("/openrouter/schemas.json")) {
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
