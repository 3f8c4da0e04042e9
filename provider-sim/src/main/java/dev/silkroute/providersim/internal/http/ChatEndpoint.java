package dev.silkroute.providersim.internal.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.RecordedRequest;
import dev.silkroute.providersim.internal.generation.ChatTurn;
import dev.silkroute.providersim.internal.generation.Completion;
import dev.silkroute.providersim.internal.generation.CompletionPlanner;
import dev.silkroute.providersim.internal.provider.Fault;
import dev.silkroute.providersim.internal.provider.Pacer;
import dev.silkroute.providersim.internal.provider.ProviderState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The chat endpoint of a provider, for either protocol. Order of checks, as a real provider roughly
 * does it: hang (never answer) -> API key (401) -> body and fields (400) -> model (404) -> simulated
 * 429 -> simulated 500 -> answer after time-to-first-token, paced by tokens per second.
 */
final class ChatEndpoint {

  private final Clock clock;
  /** Released when the simulator closes; hung requests wait on it. */
  private final CountDownLatch closing;

  ChatEndpoint(Clock clock, CountDownLatch closing) {
    this.clock = clock;
    this.closing = closing;
  }

  void handle(HttpExchange exchange, ProviderState provider, Dialect dialect)
      throws IOException, InterruptedException {
    long arrivedNanos = System.nanoTime();
    byte[] body = exchange.getRequestBody().readAllBytes();
    ProviderState.Arrival arrival = provider.arrive(record(exchange, body));
    Knobs knobs = arrival.knobs();
    Fault fault = arrival.fault();
    String requestId = HexFormat.of().formatHex(randomBytes(12));
    exchange.getResponseHeaders().set(dialect.requestIdHeader(), "req_" + requestId);

    if (fault == Fault.HANG) {
      closing.await();
      throw new ConnectionDrop("simulator closing while a request hangs");
    }
    if (!"POST".equals(exchange.getRequestMethod())) {
      fail(exchange, dialect, new SimError(SimError.Kind.METHOD_NOT_ALLOWED,
          "Method " + exchange.getRequestMethod() + " is not allowed; use POST.", null, null), Map.of());
      return;
    }
    if (knobs.apiKey() != null && !dialect.presentsKey(exchange, knobs.apiKey())) {
      fail(exchange, dialect, new SimError(SimError.Kind.AUTHENTICATION,
          "Incorrect or missing API key for provider " + provider.name() + ".", null, "invalid_api_key"),
          Map.of());
      return;
    }
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (JacksonException e) {
      fail(exchange, dialect, SimError.invalid("We could not parse the JSON body of your request: "
          + e.getOriginalMessage(), null), Map.of());
      return;
    }
    ParsedRequest parsed = json == null
        ? new ParsedRequest.Invalid(SimError.invalid("The request body is empty; send a JSON object.", null))
        : dialect.parse(json);
    if (parsed instanceof ParsedRequest.Invalid invalid) {
      fail(exchange, dialect, invalid.error(), Map.of());
      return;
    }
    ChatTurn turn = ((ParsedRequest.Valid) parsed).turn();
    if (!provider.acceptsModel(turn.model())) {
      fail(exchange, dialect, new SimError(SimError.Kind.NOT_FOUND, "The model `" + turn.model()
          + "` does not exist at provider " + provider.name() + ".", "model", "model_not_found"), Map.of());
      return;
    }
    if (fault == Fault.RATE_LIMITED) {
      fail(exchange, dialect, new SimError(SimError.Kind.RATE_LIMITED,
          "Rate limit reached (simulated). Please try again in " + knobs.retryAfterSeconds() + "s.",
          null, "rate_limit_exceeded"), Map.of("Retry-After", Integer.toString(knobs.retryAfterSeconds())));
      return;
    }
    if (fault == Fault.SERVER_ERROR) {
      fail(exchange, dialect, new SimError(SimError.Kind.SERVER_ERROR,
          "The server had an error while processing your request (simulated).", null, null), Map.of());
      return;
    }

    Completion completion = CompletionPlanner.plan(turn, knobs.completionTokens())
        .withCachedShare(knobs.cachedPromptShare());
    Dialect.ResponseMeta meta = new Dialect.ResponseMeta(dialect.idPrefix() + requestId,
        clock.instant().getEpochSecond(), turn.model(), turn.includeUsage());
    Pacer pacer = new Pacer(knobs, arrivedNanos);
    if (turn.stream()) {
      // Counted until the stream's last write, or the write that finds its client gone.
      provider.streamOpened();
      try {
        stream(exchange, dialect, meta, completion, pacer, knobs.streamCutAfterTokens(), knobs.stallAfterTokens());
      } finally {
        provider.streamClosed();
      }
    } else {
      pacer.awaitToken(Math.max(0, completion.pieces().size() - 1));
      answer(exchange, dialect.render(meta, completion), knobs.streamCutAfterTokens() >= 0);
    }
  }

  private void stream(HttpExchange exchange, Dialect dialect, Dialect.ResponseMeta meta,
      Completion completion, Pacer pacer, int cutAfter, int stallAfter) throws IOException, InterruptedException {
    // Headers go out with the first token: to a client, time to first token includes them.
    pacer.awaitToken(0);
    exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
    exchange.getResponseHeaders().set("Cache-Control", "no-cache");
    exchange.sendResponseHeaders(200, 0);
    OutputStream body = exchange.getResponseBody();
    dialect.stream(new SseStream(body), meta, completion, new Dialect.TokenGate() {
      @Override
      public void beforeToken(int index) throws InterruptedException, IOException {
        if (cutAfter >= 0 && index >= cutAfter) {
          body.flush();
          throw new ConnectionDrop("stream cut after " + cutAfter + " tokens");
        }
        if (stallAfter >= 0 && index >= stallAfter) {
          stall(body);
        }
        pacer.awaitToken(index);
      }

      @Override
      public void beforeEnd() throws IOException {
        if (stallAfter >= 0) {
          stall(body);
        }
        if (cutAfter >= 0) {
          body.flush();
          throw new ConnectionDrop("stream cut after all " + completion.pieces().size() + " tokens");
        }
      }
    });
    body.close();
  }

  /** Sends what was written, then nothing more, holding the connection open until the simulator closes. */
  private void stall(OutputStream body) throws IOException {
    body.flush();
    try {
      closing.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    throw new ConnectionDrop("simulator closing while a stream stalls");
  }

  private static void answer(HttpExchange exchange, JsonNode response, boolean cut) throws IOException {
    if (!cut) {
      Responses.json(exchange, 200, response);
      return;
    }
    byte[] bytes = Json.MAPPER.writeValueAsBytes(response);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    OutputStream out = exchange.getResponseBody();
    out.write(bytes, 0, bytes.length / 2);
    out.flush();
    throw new ConnectionDrop("response cut half-way");
  }

  private static void fail(HttpExchange exchange, Dialect dialect, SimError error,
      Map<String, String> headers) throws IOException {
    Responses.json(exchange, error.status(), dialect.errorBody(error), headers);
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

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    ThreadLocalRandom.current().nextBytes(bytes);
    return bytes;
  }
}
