package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.sse.SseDecoder;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.http.Exchange;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamRequest;
import dev.silkroute.router.provider.http.WholeBody;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * OpenAI Chat Completions over HTTP: OpenAI itself and every provider with an OpenAI-compatible API
 * (DeepSeek, DashScope, Moonshot, Zhipu, vLLM, ...). The client's body is forwarded as sent, with the
 * upstream's model name and without the router-only fields. Calls go through the one
 * {@link HttpTransport}; streams are decoded by the one {@link SseDecoder}.
 */
public final class OpenAiCompatibleAdapter implements ProviderAdapter {

  /** OpenRouter request fields that steer the router and mean nothing to a provider. */
  private static final List<String> ROUTER_FIELDS = List.of("models", "provider", "route", "transforms",
      "usage", "session_id");

  /** The largest non-streamed answer read, bytes. */
  private static final int ANSWER_LIMIT = 64 << 20;

  private final HttpTransport transport;
  private final ObjectMapper json;
  private final ObjectReader reader;
  private final Duration firstByteTimeout;
  /** {@code {baseUrl}/chat/completions} per base URL: parsed once, not per request. */
  private final Map<URI, URI> addresses = new ConcurrentHashMap<>();

  public OpenAiCompatibleAdapter(HttpTransport transport, ObjectMapper json, Duration firstByteTimeout) {
    this.transport = transport;
    this.json = json;
    this.reader = json.reader();
    this.firstByteTimeout = firstByteTimeout;
  }

  /** The answer is read whole before it is parsed, which a chat completion needs anyway. */
  @Override
  public CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request,
                                                    Cancellation cancellation) {
    CompletableFuture<Completion> answer = new CompletableFuture<>();
    try {
      ObjectNode body = upstreamBody(endpoint, request);
      body.put("stream", false);
      Exchange exchange = transport.send(httpRequest(endpoint, body), new WholeBody(ANSWER_LIMIT,
          (status, headers, bytes, length, failure) -> {
            try {
              answer.complete(completion(endpoint, status, headers, bytes, length, failure));
            } catch (UpstreamException | RuntimeException e) {
              answer.completeExceptionally(e);
            }
          }));
      cancellation.onCancel(() -> exchange.cancel(
          () -> answer.completeExceptionally(UpstreamFailures.cancelled(endpoint))));
      // Ended from outside first (its first-byte deadline): the exchange is abandoned, its connection closed.
      answer.whenComplete((completion, failure) -> {
        if (failure != null) {
          exchange.cancel();
        }
      });
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /** What the upstream's exchange amounts to: the completion, or the UpstreamException that says why not. */
  private Completion completion(Endpoint endpoint, int status, HttpHeaders headers, byte[] body, int length,
                                Throwable failure) throws UpstreamException {
    if (status == 0) {
      throw UpstreamFailures.unreachable(endpoint, failure);
    }
    if (status / 100 != 2) {
      throw UpstreamFailures.refused(endpoint, status, headers, failure == null ? body : null, length);
    }
    try {
      if (failure != null) {
        throw failure instanceof IOException io ? io : new IOException(failure);
      }
      JsonNode answer = reader.readTree(body, 0, length);
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

  @Override
  public CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                                  Cancellation cancellation) {
    try {
      ObjectNode body = upstreamBody(endpoint, request);
      body.put("stream", true);
      // Always ask for the usage chunk: without it a streamed request cannot be billed exactly.
      body.putObject("stream_options").put("include_usage", true);
      Chunks events = new Chunks(endpoint, sink);
      return events.attach(transport.send(httpRequest(endpoint, body), events), cancellation);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * OpenAI's events: every {@code data:} chunk that carries choices goes to the sink, {@code [DONE]}
   * completes the stream, an error chunk fails it. Chunks decoded from one delivery leave as a burst:
   * all but the last are passed on with {@code more} (see {@link ChunkSink#chunk(ObjectNode, boolean)}).
   */
  private final class Chunks extends EventStream {

    private final ChunkSink sink;
    private TokenUsage usage = TokenUsage.NONE;
    private String finishReason;
    /** The last chunk of the delivery being read: passed on once it is known whether more follow. */
    private ObjectNode held;

    Chunks(Endpoint endpoint, ChunkSink sink) {
      super(endpoint);
      this.sink = sink;
    }

    @Override
    protected void event(String type, byte[] data, int offset, int length) throws UpstreamException, IOException {
      if (length == 0) {
        return; // an empty event: nothing to pass on
      }
      if (SseDecoder.isDone(data, offset, length)) {
        passOn(false);
        complete(new StreamEnd(usage, finishReason, true));
        return;
      }
      JsonNode chunk = reader.readTree(data, offset, length);
      if (chunk == null || !chunk.isObject()) {
        throw new IOException("an event that is not a JSON object: "
            + new String(data, offset, Math.min(length, 200), StandardCharsets.UTF_8));
      }
      if (chunk.hasNonNull("error")) {
        passOn(true);
        throw new UpstreamException(endpoint.provider(), status, "provider reported an error mid-stream",
            new String(data, offset, length, StandardCharsets.UTF_8), null);
      }
      if (chunk.hasNonNull("usage")) {
        usage = TokenUsage.fromOpenAi(chunk.get("usage"));
      }
      JsonNode choices = chunk.path("choices");
      if (choices.isArray() && !choices.isEmpty()) {
        JsonNode finish = choices.path(0).path("finish_reason");
        if (finish.isTextual()) {
          finishReason = finish.asText();
        }
        passOn(true);
        held = (ObjectNode) chunk;
      }
    }

    @Override
    protected void delivered(boolean endFollows) {
      passOn(endFollows);
    }

    @Override
    protected StreamEnd incomplete() {
      return new StreamEnd(usage, finishReason, false);
    }

    private void passOn(boolean more) {
      if (held != null) {
        ObjectNode chunk = held;
        held = null;
        sink.chunk(chunk, more);
      }
    }
  }

  private ObjectNode upstreamBody(Endpoint endpoint, ChatRequest request) {
    ObjectNode body = request.body().deepCopy();
    ROUTER_FIELDS.forEach(body::remove);
    body.put("model", endpoint.upstreamModel());
    return body;
  }

  private UpstreamRequest httpRequest(Endpoint endpoint, ObjectNode body) {
    URI uri = addresses.computeIfAbsent(endpoint.baseUrl(), base -> URI.create(base + "/chat/completions"));
    Map<String, String> headers = endpoint.apiKey().map(key -> Map.of("Authorization", "Bearer " + key))
        .orElse(Map.of());
    return new UpstreamRequest(uri, headers, serialize(body), firstByteTimeout);
  }

  private byte[] serialize(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
