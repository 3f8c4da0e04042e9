package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.RecordedRequest;
import dev.silkroute.providersim.internal.embedding.EmbeddingModels;
import dev.silkroute.providersim.internal.embedding.EmbeddingVectors;
import dev.silkroute.providersim.internal.generation.TokenCount;
import dev.silkroute.providersim.internal.openai.OpenAiDialect;
import dev.silkroute.providersim.internal.provider.Fault;
import dev.silkroute.providersim.internal.provider.ProviderState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * OpenAI's {@code POST /v1/embeddings} for providers that speak OpenAI. Checks in the chat
 * endpoint's order (hang, key, body, model, 429, 500), waits {@code ttft_ms}, then answers one
 * deterministic unit vector per input ({@link EmbeddingVectors}) of the model's native size
 * ({@link EmbeddingModels}) or the request's {@code dimensions}, with {@code usage.prompt_tokens}
 * counted as chat prompts are ({@link TokenCount}; a token array counts its length).
 */
final class EmbeddingsEndpoint {

  /** OpenAI's limit of inputs per request. */
  static final int MAX_INPUTS = 2048;

  private final CountDownLatch closing;

  EmbeddingsEndpoint(CountDownLatch closing) {
    this.closing = closing;
  }

  void handle(HttpExchange exchange, ProviderState provider) throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    ProviderState.Arrival arrival = provider.arrive(record(exchange, body));
    Knobs knobs = arrival.knobs();
    Fault fault = arrival.fault();
    if (fault == Fault.HANG) {
      closing.await();
      throw new ConnectionDrop("simulator closing while a request hangs");
    }
    if (!"POST".equals(exchange.getRequestMethod())) {
      fail(exchange, new SimError(SimError.Kind.METHOD_NOT_ALLOWED,
          "Method " + exchange.getRequestMethod() + " is not allowed; use POST.", null, null), Map.of());
      return;
    }
    if (knobs.apiKey() != null && !Credentials.matches(Credentials.bearer(exchange), knobs.apiKey())) {
      fail(exchange, new SimError(SimError.Kind.AUTHENTICATION,
          "Incorrect or missing API key for provider " + provider.name() + ".", null, "invalid_api_key"), Map.of());
      return;
    }
    Request request;
    try {
      request = parse(Json.MAPPER.readTree(body));
    } catch (JacksonException e) {
      fail(exchange, SimError.invalid("We could not parse the JSON body of your request: "
          + e.getOriginalMessage(), null), Map.of());
      return;
    } catch (Invalid e) {
      fail(exchange, e.error, Map.of());
      return;
    }
    if (!provider.acceptsModel(request.model())) {
      fail(exchange, new SimError(SimError.Kind.NOT_FOUND, "The model `" + request.model()
          + "` does not exist at provider " + provider.name() + ".", "model", "model_not_found"), Map.of());
      return;
    }
    if (fault == Fault.RATE_LIMITED) {
      fail(exchange, new SimError(SimError.Kind.RATE_LIMITED,
          "Rate limit reached (simulated). Please try again in " + knobs.retryAfterSeconds() + "s.",
          null, "rate_limit_exceeded"), Map.of("Retry-After", Integer.toString(knobs.retryAfterSeconds())));
      return;
    }
    if (fault == Fault.SERVER_ERROR) {
      fail(exchange, new SimError(SimError.Kind.SERVER_ERROR,
          "The server had an error while processing your request (simulated).", null, null), Map.of());
      return;
    }
    int dimensions = request.dimensions() > 0 ? request.dimensions() : EmbeddingModels.dimensions(request.model());
    if (dimensions > EmbeddingModels.dimensions(request.model())) {
      fail(exchange, SimError.invalid("This model has at most " + EmbeddingModels.dimensions(request.model())
          + " dimensions; 'dimensions' was " + dimensions + ".", "dimensions"), Map.of());
      return;
    }
    if (knobs.ttftMs() > 0) {
      Thread.sleep(knobs.ttftMs());
    }
    Responses.json(exchange, 200, answer(request, dimensions));
  }

  private static ObjectNode answer(Request request, int dimensions) {
    ObjectNode answer = Json.object().put("object", "list");
    ArrayNode data = answer.putArray("data");
    long tokens = 0;
    for (int i = 0; i < request.inputs().size(); i++) {
      Input input = request.inputs().get(i);
      tokens += input.tokens();
      float[] vector = EmbeddingVectors.of(request.model(), input.text(), dimensions);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (request.base64()) {
        item.put("embedding", EmbeddingVectors.base64(vector));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float value : vector) {
          values.add(value);
        }
      }
    }
    answer.put("model", request.model());
    answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
    return answer;
  }

  private record Request(String model, List<Input> inputs, boolean base64, int dimensions) {}

  /** One input: the text its vector is drawn from (token ids joined by spaces) and its token count. */
  private record Input(String text, long tokens) {}

  private static final class Invalid extends Exception {
    final SimError error;

    Invalid(String message, String param) {
      super(message, null, false, false);
      this.error = SimError.invalid(message, param);
    }
  }

  private static Request parse(JsonNode json) throws Invalid {
    if (json == null || !json.isObject()) {
      throw new Invalid("The request body must be a JSON object.", null);
    }
    JsonNode model = json.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw new Invalid("'model' is required and must be a non-empty string.", "model");
    }
    List<Input> inputs = inputs(json.get("input"));
    boolean base64 = false;
    JsonNode format = json.get("encoding_format");
    if (format != null && !format.isNull()) {
      String value = format.asText("").toLowerCase(Locale.ROOT);
      if (!format.isTextual() || !(value.equals("float") || value.equals("base64"))) {
        throw new Invalid("'encoding_format' must be \"float\" or \"base64\".", "encoding_format");
      }
      base64 = value.equals("base64");
    }
    int dimensions = 0;
    JsonNode dims = json.get("dimensions");
    if (dims != null && !dims.isNull()) {
      if (!dims.canConvertToInt() || !dims.isIntegralNumber() || dims.asInt() < 1) {
        throw new Invalid("'dimensions' must be a positive integer.", "dimensions");
      }
      dimensions = dims.asInt();
    }
    return new Request(model.asText(), inputs, base64, dimensions);
  }

  private static List<Input> inputs(JsonNode input) throws Invalid {
    if (input == null || input.isNull()) {
      throw new Invalid("'input' is required: a string, an array of strings, or token arrays.", "input");
    }
    if (input.isTextual()) {
      return List.of(text(input, "input"));
    }
    if (!input.isArray() || input.isEmpty()) {
      throw new Invalid("'input' must be a non-empty string or a non-empty array.", "input");
    }
    if (input.size() > MAX_INPUTS) {
      throw new Invalid("'input' may hold at most " + MAX_INPUTS + " items.", "input");
    }
    if (input.get(0).isIntegralNumber()) {
      return List.of(tokens(input, "input"));
    }
    List<Input> inputs = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      inputs.add(item.isArray() ? tokens(item, "input[" + i + "]") : text(item, "input[" + i + "]"));
    }
    return inputs;
  }

  private static Input text(JsonNode item, String param) throws Invalid {
    if (!item.isTextual() || item.asText().isEmpty()) {
      throw new Invalid("'" + param + "' must be a non-empty string.", param);
    }
    return new Input(item.asText(), TokenCount.ofText(item.asText()));
  }

  private static Input tokens(JsonNode array, String param) throws Invalid {
    if (array.isEmpty()) {
      throw new Invalid("'" + param + "' must not be an empty token array.", param);
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode token : array) {
      if (!token.isIntegralNumber() || token.asLong() < 0) {
        throw new Invalid("'" + param + "' must hold non-negative integer token ids only.", param);
      }
      text.append(token.asLong()).append(' ');
    }
    return new Input(text.toString(), array.size());
  }

  private static void fail(HttpExchange exchange, SimError error, Map<String, String> headers) throws IOException {
    Responses.json(exchange, error.status(), OpenAiDialect.errorBodyOf(error), headers);
  }

  private static RecordedRequest record(HttpExchange exchange, byte[] body) {
    Map<String, String> headers = new HashMap<>();
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!values.isEmpty()) {
        headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
      }
    });
    return new RecordedRequest(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
        headers, new String(body, StandardCharsets.UTF_8));
  }
}
