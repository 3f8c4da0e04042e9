package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.UpstreamException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * {@code POST {base}/embeddings} at an OpenAI-compatible provider, without a waiting thread. An
 * answer that is not an error status but not a usable list either (wrong count, no vectors) counts
 * as the provider's failure, so the next endpoint is tried.
 *
 * <p>Its own small client on the router's shared HTTP client, kept apart from the chat adapters
 * while their transport changes; it belongs with them once that settles.
 */
final class EmbeddingUpstream {

  /** Error bodies are kept for the client's error metadata, up to this many characters. */
  private static final int ERROR_BODY_LIMIT = 4_096;

  private final HttpClient http;
  private final ObjectMapper json;

  EmbeddingUpstream(HttpClient http, ObjectMapper json) {
    this.http = http;
    this.json = json;
  }

  /** What the provider answered: its list, and the prompt tokens it counted. */
  record Answer(ObjectNode body, long promptTokens) {
  }

  /**
   * The provider's answer for {@code request}, asked of {@code endpoint} under its own model name;
   * fails with an {@link UpstreamException} (status 0 when the provider never answered, its cause then
   * an {@code HttpTimeoutException} after {@code timeout} without an answer).
   */
  CompletableFuture<Answer> embedAsync(Endpoint endpoint, EmbeddingRequest request, Duration timeout) {
    ObjectNode body = request.body().deepCopy();
    EmbeddingRequest.ROUTER_FIELDS.forEach(body::remove);
    body.put("model", endpoint.upstreamModel());
    HttpRequest.Builder call;
    try {
      call = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/embeddings"))
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    } catch (IOException e) {
      return CompletableFuture.failedFuture(new IllegalStateException("a parsed JSON tree always serialises", e));
    }
    endpoint.apiKey().ifPresent(key -> call.header("Authorization", "Bearer " + key));
    return http.sendAsync(call.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((response, failure) -> {
          if (failure != null) {
            throw new CompletionException(unreachable(endpoint, unwrap(failure)));
          }
          return answer(endpoint, request, response);
        });
  }

  private Answer answer(Endpoint endpoint, EmbeddingRequest request, HttpResponse<byte[]> response) {
    if (response.statusCode() / 100 != 2) {
      String said = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
      throw new CompletionException(new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider answered HTTP " + response.statusCode(),
          said.length() > ERROR_BODY_LIMIT ? said.substring(0, ERROR_BODY_LIMIT) : said, null,
          retryAfter(response.headers())));
    }
    JsonNode body;
    try {
      body = json.readTree(response.body());
    } catch (IOException e) {
      throw new CompletionException(malformed(endpoint, "its answer is not JSON"));
    }
    if (body == null || !body.isObject() || !body.path("data").isArray()) {
      throw new CompletionException(malformed(endpoint, "its answer has no 'data' list"));
    }
    JsonNode data = body.get("data");
    if (data.size() != request.inputs()) {
      throw new CompletionException(malformed(endpoint, "it answered " + data.size() + " embeddings for "
          + request.inputs() + " inputs"));
    }
    for (JsonNode item : data) {
      JsonNode vector = item.path("embedding");
      if (!(vector.isArray() && !vector.isEmpty()) && !(vector.isTextual() && !vector.asText().isEmpty())) {
        throw new CompletionException(malformed(endpoint, "an embedding has no vector"));
      }
    }
    return new Answer((ObjectNode) body, Math.max(0, body.path("usage").path("prompt_tokens").asLong()));
  }

  private static UpstreamException malformed(Endpoint endpoint, String why) {
    // Under its 2xx status: the provider's failure, never a success (Outcome.of).
    return new UpstreamException(endpoint.provider(), 200, "provider's answer is unusable: " + why, null, null);
  }

  /** No answer at all (refused, reset, timed out): status 0. Anything else is a bug here, rethrown as it is. */
  private static UpstreamException unreachable(Endpoint endpoint, Throwable failure) {
    if (failure instanceof IOException io) {
      return new UpstreamException(endpoint.provider(), 0, "provider could not be reached: "
          + io.getClass().getSimpleName() + (io.getMessage() == null ? "" : " " + io.getMessage()), null, io);
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    throw new IllegalStateException(failure);
  }

  private static Duration retryAfter(HttpHeaders headers) {
    Optional<String> value = headers.firstValue("Retry-After");
    try {
      return value.map(v -> Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim())))).orElse(null);
    } catch (NumberFormatException httpDate) {
      return null; // the HTTP-date form is rare for APIs: read as absent
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
