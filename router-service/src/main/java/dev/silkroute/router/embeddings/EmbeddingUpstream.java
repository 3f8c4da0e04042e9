package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.provider.UpstreamFailures;
import dev.silkroute.router.provider.http.Exchange;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamRequest;
import dev.silkroute.router.provider.http.WholeBody;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST {base}/embeddings} at an OpenAI-compatible provider, on the router's one upstream
 * transport, without a waiting thread. An answer that is not an error status but not a usable list
 * either (wrong count, no vectors) counts as the provider's failure, so the next endpoint is tried.
 */
final class EmbeddingUpstream implements EmbeddingCaller {

  /** The most of an answer read: 2,048 inputs of 4,096 floats written out as JSON fit. */
  private static final int ANSWER_LIMIT = 256 * 1024 * 1024;

  private final HttpTransport transport;
  private final ObjectMapper json;

  EmbeddingUpstream(HttpTransport transport, ObjectMapper json) {
    this.transport = transport;
    this.json = json;
  }

  @Override
  public Endpoint.Protocol protocol() {
    return Endpoint.Protocol.OPENAI;
  }

  /**
   * The provider's answer for {@code request}, asked of {@code endpoint} under its own model name;
   * fails with an {@link UpstreamException} (status 0 when the provider never answered, its cause then
   * an {@code HttpTimeoutException} after {@code timeout} without an answer).
   */
  @Override
  public CompletableFuture<Answer> embedAsync(Endpoint endpoint, EmbeddingRequest request, Duration timeout) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    try {
      ObjectNode body = request.body().deepCopy();
      EmbeddingRequest.ROUTER_FIELDS.forEach(body::remove);
      body.put("model", endpoint.upstreamModel());
      Map<String, String> headers = endpoint.apiKey().map(key -> Map.of("Authorization", "Bearer " + key))
          .orElse(Map.of());
      UpstreamRequest call = new UpstreamRequest(URI.create(endpoint.baseUrl() + "/embeddings"), headers,
          json.writeValueAsBytes(body), timeout);
      Exchange exchange = transport.send(call, new WholeBody(ANSWER_LIMIT,
          (status, responseHeaders, bytes, length, failure) -> {
            try {
              answer.complete(answer(endpoint, request, status, responseHeaders, bytes, length, failure));
            } catch (UpstreamException | RuntimeException e) {
              answer.completeExceptionally(e);
            }
          }));
      // Ended from outside first: the exchange is abandoned, its connection closed.
      answer.whenComplete((done, failure) -> {
        if (failure != null) {
          exchange.cancel();
        }
      });
    } catch (IOException e) {
      answer.completeExceptionally(new IllegalStateException("a parsed JSON tree always serialises", e));
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  private Answer answer(Endpoint endpoint, EmbeddingRequest request, int status, HttpHeaders headers, byte[] bytes,
                        int length, Throwable failure) throws UpstreamException {
    if (status == 0) {
      throw UpstreamFailures.unreachable(endpoint, failure);
    }
    if (status / 100 != 2) {
      throw UpstreamFailures.refused(endpoint, status, headers, failure == null ? bytes : null, length);
    }
    if (failure != null) {
      throw UpstreamFailures.broke(endpoint, status, failure);
    }
    JsonNode body;
    try {
      body = json.readTree(bytes, 0, length);
    } catch (IOException e) {
      throw malformed(endpoint, "its answer is not JSON");
    }
    if (body == null || !body.isObject() || !body.path("data").isArray()) {
      throw malformed(endpoint, "its answer has no 'data' list");
    }
    JsonNode data = body.get("data");
    if (data.size() != request.inputs()) {
      throw malformed(endpoint, "it answered " + data.size() + " embeddings for " + request.inputs() + " inputs");
    }
    for (JsonNode item : data) {
      JsonNode vector = item.path("embedding");
      if (!(vector.isArray() && !vector.isEmpty()) && !(vector.isTextual() && !vector.asText().isEmpty())) {
        throw malformed(endpoint, "an embedding has no vector");
      }
    }
    return new Answer((ObjectNode) body, Math.max(0, body.path("usage").path("prompt_tokens").asLong()));
  }

  private static UpstreamException malformed(Endpoint endpoint, String why) {
    // Under its 2xx status: the provider's failure, never a success (Outcome.of).
    return new UpstreamException(endpoint.provider(), 200, "provider's answer is unusable: " + why, null, null);
  }
}
