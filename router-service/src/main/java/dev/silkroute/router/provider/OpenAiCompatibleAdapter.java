package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
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

  /** How much of an upstream's error body is kept, bytes: enough for any provider's error object. */
  private static final int ERROR_BODY_LIMIT = 8192;

  private final HttpClient http;
  private final ObjectMapper json;
  private final Duration firstByteTimeout;

  public OpenAiCompatibleAdapter(HttpClient http, ObjectMapper json, Duration firstByteTimeout) {
    this.http = http;
    this.json = json;
    this.firstByteTimeout = firstByteTimeout;
  }

  /** {@link #completeAsync(Endpoint, ChatRequest)}, waited for. */
  @Override
  public Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException {
    try {
      return completeAsync(endpoint, request).get();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(endpoint.provider(), 0, "interrupted while calling provider", null, e);
    }
  }

  /** Needs no thread of its own: the HTTP client's threads do the waiting, so {@code blocking} is not used. */
  @Override
  public CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request, Executor blocking) {
    return completeAsync(endpoint, request);
  }

  /**
   * A non-streamed answer without a waiting thread. The answer is read whole before it is parsed,
   * which a chat completion needs anyway. Completes on the HTTP client's executor. Completing the
   * returned future from outside (a timeout) abandons the exchange.
   */
  public CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request) {
    CompletableFuture<Completion> answer = new CompletableFuture<>();
    // The status and headers, kept as they arrive: a body that breaks after them is the provider's
    // unreadable answer (under its status), not an unreachable provider (status 0).
    AtomicReference<HttpResponse.ResponseInfo> head = new AtomicReference<>();
    try {
      ObjectNode body = upstreamBody(endpoint, request);
      body.put("stream", false);
      CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(httpRequest(endpoint, body), info -> {
        head.set(info);
        return HttpResponse.BodySubscribers.ofByteArray();
      });
      exchange.whenComplete((response, failure) -> {
        try {
          answer.complete(completion(endpoint, head.get(), response, unwrap(failure)));
        } catch (Throwable e) {
          // Whatever ends the call must end the future too: a request that never ends is never settled.
          answer.completeExceptionally(e);
        }
      });
      // Ended from outside first (its first-byte timeout): the exchange is abandoned, its connection closed.
      answer.whenComplete((completion, failure) -> exchange.cancel(true));
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /** What the upstream's exchange amounts to: the completion, or the UpstreamException that says why not. */
  private Completion completion(Endpoint endpoint, HttpResponse.ResponseInfo head, HttpResponse<byte[]> response,
                                Throwable failure) throws UpstreamException {
    if (head == null) {
      throw unreachable(endpoint, failure);
    }
    int status = head.statusCode();
    if (status / 100 != 2) {
      String errorBody = response == null ? null
          : new String(response.body(), 0, Math.min(response.body().length, ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
      throw new UpstreamException(endpoint.provider(), status, "provider answered HTTP " + status, errorBody, null,
          retryAfter(head.headers()));
    }
    try {
      if (failure instanceof IOException bodyBroke) {
        throw bodyBroke;
      }
      if (failure != null) {
        throw rethrowUnchecked(failure);
      }
      JsonNode answer = json.readTree(response.body());
      if (answer == null || !answer.isObject() || !answer.path("choices").isArray()) {
        throw new UpstreamException(endpoint.provider(), status,
            "provider answered something that is not a chat completion", String.valueOf(answer), null);
      }
      String finish = answer.path("choices").path(0).path("finish_reason").asText(null);
      return new Completion((ObjectNode) answer, TokenUsage.fromOpenAi(answer.get("usage")), finish);
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), status,
          "provider's answer could not be read: " + e.getMessage(), null, e);
    }
  }

  /**
   * Waits for {@link #streamAsync}: the sink is fed from the HTTP client's threads meanwhile. The
   * router streams with {@link #streamAsync} and a {@link Cancellation}; for this waiting form,
   * {@code cancelled} is read as each chunk arrives (as a blocking reader reads it between lines), so a
   * cancel while the upstream is silent takes effect with its next chunk.
   */
  @Override
  public StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException {
    Cancellation cancellation = new Cancellation();
    ChunkSink watched = new ChunkSink() {
      @Override
      public void chunk(ObjectNode chunk) {
        chunk(chunk, false);
      }

      @Override
      public void chunk(ObjectNode chunk, boolean more) {
        if (cancelled.getAsBoolean()) {
          cancellation.cancel();
        } else {
          sink.chunk(chunk, more);
        }
      }
    };
    CompletableFuture<StreamEnd> end = streamAsync(endpoint, request, watched, cancellation, Runnable::run);
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

  private HttpRequest streamRequest(Endpoint endpoint, ChatRequest chat) {
    ObjectNode body = upstreamBody(endpoint, chat);
    body.put("stream", true);
    // Always ask for the usage chunk: without it a streamed request cannot be billed exactly.
    body.putObject("stream_options").put("include_usage", true);
    return httpRequest(endpoint, body);
  }

  /** A non-2xx answer: fails the exchange as {@link #completion} does, once the error body is read. */
  private static HttpResponse.BodySubscriber<StreamEnd> refusal(Endpoint endpoint, HttpResponse.ResponseInfo answer) {
    return HttpResponse.BodySubscribers.mapping(new ErrorBodySubscriber(ERROR_BODY_LIMIT), errorBody -> {
      throw new CompletionException(new UpstreamException(endpoint.provider(), answer.statusCode(),
          "provider answered HTTP " + answer.statusCode(), errorBody, null, retryAfter(answer.headers())));
    });
  }

  /** Why a streamed exchange failed: the refusal itself, or a provider that could not be reached (status 0). */
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

  private HttpRequest httpRequest(Endpoint endpoint, ObjectNode body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/chat/completions"))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    return request.build();
  }

  /**
   * No answer at all (refused, reset, timed out: status 0). A failure that is not an I/O error is not
   * the provider's doing (a bad request built here): it is rethrown as it is.
   */
  private static UpstreamException unreachable(Endpoint endpoint, Throwable failure) {
    if (!(failure instanceof IOException io)) {
      throw rethrowUnchecked(failure);
    }
    return new UpstreamException(endpoint.provider(), 0, "provider could not be reached: "
        + io.getClass().getSimpleName() + (io.getMessage() == null ? "" : " " + io.getMessage()), null, io);
  }

  private static UpstreamException rethrow(Throwable failure) {
    if (failure instanceof UpstreamException e) {
      return e;
    }
    throw rethrowUnchecked(failure);
  }

  private static RuntimeException rethrowUnchecked(Throwable failure) {
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException(failure);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  private static Duration retryAfter(HttpHeaders headers) {
    return headers.firstValue("Retry-After").flatMap(OpenAiCompatibleAdapter::seconds).orElse(null);
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
}
