package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.EventStream;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.provider.UpstreamFailures;
import dev.silkroute.router.provider.http.Exchange;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamRequest;
import dev.silkroute.router.provider.http.WholeBody;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Anthropic Messages over HTTP ({@code POST {baseUrl}/messages}, {@code x-api-key} and
 * {@code anthropic-version} headers). Requests are translated from OpenAI's shape and answers back
 * into it ({@link MessagesRequest}, {@link MessagesAnswer}, {@link MessagesStream}: translation
 * without I/O), so the router and its clients only ever see OpenAI chat objects. The exchange goes
 * through the one {@link HttpTransport}, its events through the one SSE decoder.
 */
public final class AnthropicAdapter implements ProviderAdapter {

  /** The largest non-streamed answer read, bytes. */
  private static final int ANSWER_LIMIT = 64 << 20;

  private final HttpTransport transport;
  private final ObjectMapper json;
  private final ObjectReader reader;
  private final Clock clock;
  private final AnthropicSettings settings;
  private final Duration firstByteTimeout;
  private final MessagesRequest requests;
  private final MessagesAnswer answers;
  private final Map<URI, URI> addresses = new ConcurrentHashMap<>();

  public AnthropicAdapter(HttpTransport transport, ObjectMapper json, Clock clock, AnthropicSettings settings,
                          Duration firstByteTimeout) {
    this.transport = transport;
    this.json = json;
    this.reader = json.reader();
    this.clock = clock;
    this.settings = settings;
    this.firstByteTimeout = firstByteTimeout;
    this.requests = new MessagesRequest(json, settings.defaultMaxTokens());
    this.answers = new MessagesAnswer(json, clock);
  }

  @Override
  public CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request,
                                                    Cancellation cancellation) {
    CompletableFuture<Completion> answer = new CompletableFuture<>();
    try {
      UpstreamRequest http = httpRequest(endpoint, requests.translate(request, endpoint.upstreamModel(), false));
      Exchange exchange = transport.send(http, new WholeBody(ANSWER_LIMIT,
          (status, headers, body, length, failure) -> {
            try {
              if (status == 0) {
                throw UpstreamFailures.unreachable(endpoint, failure);
              }
              if (status / 100 != 2) {
                throw UpstreamFailures.refused(endpoint, status, headers, failure == null ? body : null, length);
              }
              answer.complete(completion(endpoint, status, body, length, failure));
            } catch (UpstreamException | RuntimeException e) {
              answer.completeExceptionally(e);
            }
          }));
      cancellation.onCancel(() -> exchange.cancel(
          () -> answer.completeExceptionally(UpstreamFailures.cancelled(endpoint))));
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

  private Completion completion(Endpoint endpoint, int status, byte[] body, int length, Throwable failure)
      throws UpstreamException {
    try {
      if (failure != null) {
        throw failure instanceof IOException io ? io : new IOException(failure);
      }
      JsonNode message = reader.readTree(body, 0, length);
      Completion completion = answers.translate(message);
      if (completion == null) {
        throw new UpstreamException(endpoint.provider(), status,
            "provider answered something that is not a Messages answer", String.valueOf(message), null);
      }
      return completion;
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), status,
          "provider's answer could not be read: " + e.getMessage(), null, e);
    }
  }

  @Override
  public CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                                  Cancellation cancellation) {
    try {
      UpstreamRequest http = httpRequest(endpoint, requests.translate(request, endpoint.upstreamModel(), true));
      Events events = new Events(endpoint, new MessagesStream(json, clock, sink));
      return events.attach(transport.send(http, events), cancellation);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Anthropic's events, by their data's {@code type} (the {@code event:} name repeats it). */
  private final class Events extends EventStream {

    private final MessagesStream messages;

    Events(Endpoint endpoint, MessagesStream messages) {
      super(endpoint);
      this.messages = messages;
    }

    @Override
    protected void event(String type, byte[] data, int offset, int length) throws UpstreamException {
      JsonNode event;
      try {
        event = reader.readTree(data, offset, length);
      } catch (IOException e) {
        throw new UpstreamException(endpoint.provider(), status, "provider sent an event that is not JSON",
            new String(data, offset, length, StandardCharsets.UTF_8), e);
      }
      if (event == null || !event.isObject()) {
        return; // an empty event
      }
      JsonNode error = messages.accept(event);
      if (error != null) {
        throw new UpstreamException(endpoint.provider(), status,
            "provider reported an error mid-stream: " + error.path("message").asText(),
            new String(data, offset, length, StandardCharsets.UTF_8), null);
      }
      if (messages.stopped()) {
        complete(new StreamEnd(messages.usage().tokens(), messages.finishReason(), true));
      }
    }

    @Override
    protected StreamEnd incomplete() {
      return new StreamEnd(messages.usage().tokens(), messages.finishReason(), false);
    }
  }

  private UpstreamRequest httpRequest(Endpoint endpoint, ObjectNode body) {
    URI uri = addresses.computeIfAbsent(endpoint.baseUrl(), base -> URI.create(base + "/messages"));
    Map<String, String> headers = new HashMap<>(4);
    headers.put("anthropic-version", settings.version());
    endpoint.apiKey().ifPresent(key -> headers.put("x-api-key", key));
    return new UpstreamRequest(uri, headers, serialize(body), firstByteTimeout);
  }

  private byte[] serialize(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
