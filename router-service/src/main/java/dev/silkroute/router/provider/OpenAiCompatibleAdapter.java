package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.chat.ChatRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * OpenAI Chat Completions over HTTP: OpenAI itself and every provider with an OpenAI-compatible API
 * (DeepSeek, DashScope, Moonshot, Zhipu, vLLM, ...). The client's body is forwarded as sent, with the
 * upstream's model name and without the router-only fields.
 */
public final class OpenAiCompatibleAdapter implements ProviderAdapter {

  /** OpenRouter request fields that steer the router and mean nothing to a provider. */
  private static final List<String> ROUTER_FIELDS = List.of("models", "provider", "route", "transforms",
      "usage", "session_id");

  /** Bytes of an error answer kept, as readQuietly keeps: enough for any error object, bounded for a bad one. */
  private static final int ERROR_BODY_LIMIT = 8192;

  private final HttpClient http;
  private final ObjectMapper json;
  private final Duration firstByteTimeout;

  public OpenAiCompatibleAdapter(HttpClient http, ObjectMapper json, Duration firstByteTimeout) {
    this.http = http;
    this.json = json;
    this.firstByteTimeout = firstByteTimeout;
  }

  @Override
  public Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException {
    ObjectNode body = upstreamBody(endpoint, request);
    body.put("stream", false);
    HttpResponse<InputStream> response = send(endpoint, body);
    try (InputStream in = response.body()) {
      JsonNode answer = json.readTree(in);
      if (answer == null || !answer.isObject() || !answer.path("choices").isArray()) {
        throw new UpstreamException(endpoint.provider(), response.statusCode(),
            "provider answered something that is not a chat completion", String.valueOf(answer), null);
      }
      String finish = answer.path("choices").path(0).path("finish_reason").asText(null);
      return new Completion((ObjectNode) answer, TokenUsage.fromOpenAi(answer.get("usage")), finish);
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider's answer could not be read: " + e.getMessage(), null, e);
    }
  }

  /** Waits for {@link #streamAsync}: the sink is fed from the HTTP client's threads meanwhile. */
  @Override
  public StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException {
    Cancellation cancellation = new Cancellation();
    CompletableFuture<StreamEnd> end = streamAsync(endpoint, request, sink, cancellation, Runnable::run);
    cancellation.await(end, cancelled);
    try {
      return end.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UpstreamException upstream) {
        throw upstream;
      }
      throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
    }
  }

  /**
   * Streams without a thread of its own: the body is read as it arrives ({@link SseBodySubscriber}),
   * and a cancel closes the connection at once, or abandons the request while its answer is awaited.
   */
  @Override
  public CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                                  Cancellation cancellation, Executor blockingThreads) {
    SseBodySubscriber events = new SseBodySubscriber(endpoint.provider(), json, sink);
    CompletableFuture<HttpResponse<StreamEnd>> exchange = http.sendAsync(streamRequest(endpoint, request),
        answer -> answer.statusCode() / 100 == 2 ? events.answered(answer.statusCode()) : refusal(endpoint, answer));
    exchange.whenComplete((response, error) -> {
      if (error != null) {
        events.failed(failure(endpoint, error));
      }
    });
    cancellation.onCancel(() -> {
      events.cancel();
      exchange.cancel(true);
    });
    return events.end();
  }

  /** As {@link #send}'s request, with the streaming fields; send() stays as it is for the blocking calls. */
  private HttpRequest streamRequest(Endpoint endpoint, ChatRequest chat) {
    ObjectNode body = upstreamBody(endpoint, chat);
    body.put("stream", true);
    // Always ask for the usage chunk: without it a streamed request cannot be billed exactly.
    body.putObject("stream_options").put("include_usage", true);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/chat/completions"))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    return request.build();
  }

  /** A non-2xx answer: fails the exchange as {@link #send} does, once the error body is read. */
  private static HttpResponse.BodySubscriber<StreamEnd> refusal(Endpoint endpoint, HttpResponse.ResponseInfo answer) {
    return HttpResponse.BodySubscribers.mapping(new ErrorBodySubscriber(ERROR_BODY_LIMIT), errorBody -> {
      throw new CompletionException(new UpstreamException(endpoint.provider(), answer.statusCode(),
          "provider answered HTTP " + answer.statusCode(), errorBody, null,
          answer.headers().firstValue("Retry-After").flatMap(OpenAiCompatibleAdapter::seconds).orElse(null)));
    });
  }

  /** Why an exchange failed: the refusal itself, or a provider that could not be reached, as in {@link #send}. */
  private static UpstreamException failure(Endpoint endpoint, Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof UpstreamException upstream) {
      return upstream;
    }
    return new UpstreamException(endpoint.provider(), 0, "provider could not be reached: "
        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null, cause);
  }

  private ObjectNode upstreamBody(Endpoint endpoint, ChatRequest request) {
    ObjectNode body = request.body().deepCopy();
    ROUTER_FIELDS.forEach(body::remove);
    body.put("model", endpoint.upstreamModel());
    return body;
  }

  private HttpResponse<InputStream> send(Endpoint endpoint, ObjectNode body) throws UpstreamException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/chat/completions"))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), 0,
          "provider could not be reached: " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(endpoint.provider(), 0, "interrupted while calling provider", null, e);
    }
    if (response.statusCode() / 100 != 2) {
      String errorBody = readQuietly(response.body());
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider answered HTTP " + response.statusCode(), errorBody, null,
          response.headers().firstValue("Retry-After").flatMap(OpenAiCompatibleAdapter::seconds).orElse(null));
    }
    return response;
  }

  /** Retry-After in its delta-seconds form; the HTTP-date form is rare for APIs and read as absent. */
  private static java.util.Optional<Duration> seconds(String retryAfter) {
    try {
      return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.trim()))));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private byte[] serialize(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static String readQuietly(InputStream in) {
    try (in) {
      byte[] bytes = in.readNBytes(8192);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
