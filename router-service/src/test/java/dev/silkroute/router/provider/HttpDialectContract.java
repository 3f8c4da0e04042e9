package dev.silkroute.router.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamHttpSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The {@link ProviderAdapterContract} for the HTTP dialects, each on provider-sim speaking its
 * protocol, through the one {@link HttpTransport}; plus what only HTTP upstreams do (error statuses
 * and bodies, Retry-After, first-byte timeouts, API keys, cut streams, tools).
 */
public abstract class HttpDialectContract extends ProviderAdapterContract {

  protected static final String PROVIDER = "upstream";
  /** Short, so a provider that never answers fails the test quickly. */
  protected static final Duration FIRST_BYTE_TIMEOUT = Duration.ofMillis(500);

  private static final String WEATHER_TOOL = """
      {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
       "parameters": {"type": "object", "properties": {"city": {"type": "string", "minLength": 3},
         "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}}}""";

  protected ProviderSim sim;
  /** The one transport, on its own event loop here (in the router, the HTTP server's). */
  protected HttpTransport transport;

  /** The simulated provider, speaking the adapter's protocol. */
  protected abstract ProviderConfig provider(String name);

  protected abstract Endpoint.Protocol protocol();

  protected abstract ProviderAdapter newAdapter(HttpTransport transport, ObjectMapper json, Duration firstByteTimeout);

  @BeforeAll
  void startProvider() {
    sim = ProviderSim.start(0, List.of(provider(PROVIDER)));
    transport = HttpTransport.withOwnLoops(1, UpstreamHttpSettings.ofDefaults());
    adapter = newAdapter(transport, JSON, FIRST_BYTE_TIMEOUT);
    // The first calls of a cold JVM (client and simulator alike) take seconds on a busy machine: far
    // over the short first-byte timeout the tests use. They are made here, with time to spare.
    ProviderAdapter patient = newAdapter(transport, JSON, Duration.ofSeconds(60));
    try {
      Waiting.complete(patient, endpoint(), text("warm up", false));
      Waiting.stream(patient, endpoint(), text("warm up", true), chunk -> { }, () -> false);
    } catch (UpstreamException e) {
      throw new IllegalStateException("the simulated provider does not answer", e);
    }
  }

  @AfterAll
  void stopProvider() {
    sim.close();
    transport.close();
  }

  @AfterEach
  void resetKnobs() {
    sim.update(PROVIDER, Knobs.defaults());
  }

  @Override
  protected Endpoint endpoint() {
    return endpoint(Optional.empty());
  }

  @Override
  protected void slowDown() {
    sim.update(PROVIDER, Knobs.builder().tokensPerSecond(20).completionTokens(200).build()); // 10 s
  }

  protected Endpoint endpoint(Optional<String> apiKey) {
    Pricing price = new Pricing(1_000_000, 2_000_000);
    return new Endpoint(PROVIDER + "/test/model", PROVIDER, protocol(), URI.create(sim.baseUrl(PROVIDER)),
        "upstream-model", apiKey, price, price);
  }

  private static ChatRequest forcedTool(boolean stream) {
    return request("""
        {"model": "test/model", "stream": %s, "messages": [{"role": "user", "content": "Weather in Paris?"}],
         "tools": [%s], "tool_choice": {"type": "function", "function": {"name": "get_weather"}}}"""
        .formatted(stream, WEATHER_TOOL));
  }

  @Test
  void returnsAForcedToolCallWithJsonArguments() throws Exception {
    Completion completion = Waiting.complete(adapter, endpoint(), forcedTool(false));

    JsonNode choice = completion.body().path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
    JsonNode call = choice.path("message").path("tool_calls").path(0);
    assertThat(call.path("id").asText()).isNotBlank();
    assertThat(call.path("type").asText()).isEqualTo("function");
    assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
    JsonNode arguments = JSON.readTree(call.path("function").path("arguments").asText());
    assertThat(arguments.path("city").asText()).hasSizeGreaterThanOrEqualTo(3);
    assertThat(arguments.path("days").asInt()).isBetween(1, 7);
  }

  @Test
  void streamsAToolCallAsArgumentFragmentsOfOneIndex() throws Exception {
    List<ObjectNode> chunks = new ArrayList<>();

    StreamEnd end = Waiting.stream(adapter, endpoint(), forcedTool(true), chunks::add, () -> false);

    assertThat(end.complete()).isTrue();
    assertThat(end.finishReason()).isEqualTo("tool_calls");
    List<JsonNode> calls = chunks.stream()
        .flatMap(c -> toList(c.at("/choices/0/delta/tool_calls")).stream()).toList();
    assertThat(calls).allSatisfy(call -> assertThat(call.path("index").asInt()).isZero());
    assertThat(calls.get(0).path("id").asText()).isNotBlank();
    assertThat(calls.get(0).at("/function/name").asText()).isEqualTo("get_weather");
    StringBuilder arguments = new StringBuilder();
    calls.forEach(call -> arguments.append(call.at("/function/arguments").asText("")));
    assertThat(calls.stream().filter(call -> !call.at("/function/arguments").asText("").isEmpty())).hasSizeGreaterThan(1);
    assertThat(JSON.readTree(arguments.toString()).path("city").isTextual()).isTrue();
  }

  @Test
  void answersAToolResultWithText() throws Exception {
    ChatRequest roundTrip = request("""
        {"model": "test/model", "tools": [%s], "tool_choice": "auto", "messages": [
          {"role": "user", "content": "Weather in Paris?"},
          {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\", \\"days\\": 2}"}}]},
          {"role": "tool", "tool_call_id": "call_1", "content": "sunny, 24 C"}]}""".formatted(WEATHER_TOOL));

    Completion completion = Waiting.complete(adapter, endpoint(), roundTrip);

    assertThat(completion.body().at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(completion.body().at("/choices/0/message/content").asText()).isNotBlank();
    assertThat(completion.body().at("/choices/0/message/tool_calls").isMissingNode()).isTrue();
  }

  @Test
  void stopsAtMaxTokensWithFinishReasonLength() throws Exception {
    ChatRequest capped = request("""
        {"model": "test/model", "max_tokens": 3, "messages": [{"role": "user", "content": "a long story"}]}""");
    sim.update(PROVIDER, Knobs.builder().completionTokens(40).build());

    Completion completion = Waiting.complete(adapter, endpoint(), capped);

    assertThat(completion.body().at("/choices/0/finish_reason").asText()).isEqualTo("length");
    assertThat(completion.usage().completionTokens()).isEqualTo(3);
  }

  @Test
  void failsWithTheUpstreamStatusAndBodyOnA500() {
    sim.update(PROVIDER, Knobs.builder().errorRate(1.0).build());

    UpstreamException e = catchThrowableOfType(() -> Waiting.complete(adapter, endpoint(), text("hi", false)),
        UpstreamException.class);

    assertThat(e.status()).isEqualTo(500);
    assertThat(e.provider()).isEqualTo(PROVIDER);
    assertThat(e.upstreamBody()).contains("error");
  }

  @Test
  void failsWithStatus429WhenRateLimited() {
    sim.update(PROVIDER, Knobs.builder().rateLimitRate(1.0).build());

    assertThatThrownBy(() -> Waiting.stream(adapter, endpoint(), text("hi", true), c -> { }, () -> false))
        .isInstanceOfSatisfying(UpstreamException.class, e -> {
          assertThat(e.status()).isEqualTo(429);
          assertThat(e.upstreamBody()).contains("error");
        });
  }

  @Test
  void neverReportsACutStreamAsComplete() {
    sim.update(PROVIDER, Knobs.builder().completionTokens(30).streamCutAfterTokens(3).build());
    List<ObjectNode> chunks = new ArrayList<>();

    // The JDK client may report the dropped connection before or after the lines it read: either
    // an incomplete end or an UpstreamException is right; a complete end is not.
    try {
      StreamEnd end = Waiting.stream(adapter, endpoint(), text("a long story", true), chunks::add, () -> false);
      assertThat(end.complete()).isFalse();
    } catch (UpstreamException e) {
      assertThat(e.provider()).isEqualTo(PROVIDER);
    }
    assertThat(chunks).noneSatisfy(c -> assertThat(c.at("/choices/0/finish_reason").asText("")).isNotEmpty());
  }

  @Test
  void timesOutWhenTheProviderNeverAnswers() {
    sim.update(PROVIDER, Knobs.builder().neverAnswer(true).build());
    long start = System.nanoTime();

    assertThatThrownBy(() -> Waiting.complete(adapter, endpoint(), text("hi", false)))
        .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.status()).isZero());
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(FIRST_BYTE_TIMEOUT).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void sendsTheEndpointsApiKey() throws Exception {
    sim.update(PROVIDER, Knobs.builder().apiKey("sk-upstream-secret").build());

    assertThat(Waiting.complete(adapter, endpoint(Optional.of("sk-upstream-secret")), text("hi", false)).usage()
        .completionTokens()).isPositive();
    assertThatThrownBy(() -> Waiting.complete(adapter, endpoint(Optional.of("sk-wrong")), text("hi", false)))
        .isInstanceOfSatisfying(UpstreamException.class, e -> assertThat(e.status()).isEqualTo(401));
  }

  @Test
  void failsWithoutWaitingAsItDoesWaitingOnA500() {
    sim.update(PROVIDER, Knobs.builder().errorRate(1.0).build());

    UpstreamException waited = catchThrowableOfType(() -> Waiting.complete(adapter, endpoint(), text("hi", false)),
        UpstreamException.class);
    UpstreamException e = asyncFailure(adapter.completeAsync(endpoint(), text("hi", false), new Cancellation()));

    assertThat(e.status()).isEqualTo(500).isEqualTo(waited.status());
    assertThat(e.getMessage()).isEqualTo(waited.getMessage());
    assertThat(e.provider()).isEqualTo(PROVIDER);
    assertThat(e.upstreamBody()).contains("error");
  }

  @Test
  void failsAsyncWithTheUpstreamStatusAndBodyBeforeTheStream() {
    sim.update(PROVIDER, Knobs.builder().rateLimitRate(1.0).build());

    UpstreamException e = asyncFailure(adapter.streamAsync(endpoint(), text("hi", true), c -> { }, new Cancellation()));

    assertThat(e.status()).isEqualTo(429);
    assertThat(e.provider()).isEqualTo(PROVIDER);
    assertThat(e.upstreamBody()).contains("error");
  }

  @Test
  void failsWithoutWaitingAsItDoesWaitingWhenRateLimited() {
    sim.update(PROVIDER, Knobs.builder().rateLimitRate(1.0).retryAfterSeconds(7).build());

    UpstreamException waited = catchThrowableOfType(() -> Waiting.complete(adapter, endpoint(), text("hi", false)),
        UpstreamException.class);
    UpstreamException e = asyncFailure(adapter.completeAsync(endpoint(), text("hi", false), new Cancellation()));

    assertThat(e.status()).isEqualTo(429).isEqualTo(waited.status());
    assertThat(e.getMessage()).isEqualTo(waited.getMessage());
    assertThat(e.retryAfter()).isEqualTo(waited.retryAfter());
  }

  @Test
  void timesOutWithoutWaitingAsAnHttpTimeout() {
    sim.update(PROVIDER, Knobs.builder().neverAnswer(true).build());

    UpstreamException e = asyncFailure(adapter.completeAsync(endpoint(), text("hi", false), new Cancellation()));

    assertThat(e.status()).isZero();
    // What the router answers 408 for.
    assertThat(e.getCause()).isInstanceOf(java.net.http.HttpTimeoutException.class);
  }

  @Test
  void failsAsyncWithStatusZeroWhenTheProviderCannotBeReached() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Endpoint nowhere = new Endpoint(PROVIDER + "/test/model", PROVIDER, protocol(),
        URI.create("http://127.0.0.1:" + closedPort + "/v1"), "upstream-model", Optional.empty(),
        endpoint().price(), endpoint().cost());

    UpstreamException e = asyncFailure(adapter.streamAsync(nowhere, text("hi", true), c -> { }, new Cancellation()));

    assertThat(e.status()).isZero();
    assertThat(e.getMessage()).startsWith("provider could not be reached");
  }

  @Test
  void neverReportsACutAsyncStreamAsComplete() throws Exception {
    sim.update(PROVIDER, Knobs.builder().completionTokens(30).streamCutAfterTokens(3).build());
    List<ObjectNode> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();

    var end = adapter.streamAsync(endpoint(), text("a long story", true), chunks::add, new Cancellation());

    try {
      assertThat(end.get(10, java.util.concurrent.TimeUnit.SECONDS).complete()).isFalse();
    } catch (java.util.concurrent.ExecutionException e) {
      assertThat(e.getCause()).isInstanceOfSatisfying(UpstreamException.class,
          upstream -> assertThat(upstream.getCause()).isInstanceOf(java.io.IOException.class));
    }
    assertThat(chunks).noneSatisfy(c -> assertThat(c.at("/choices/0/finish_reason").asText("")).isNotEmpty());
  }

  @Test
  void timesOutAsyncWhenTheProviderNeverAnswers() {
    sim.update(PROVIDER, Knobs.builder().neverAnswer(true).build());
    long start = System.nanoTime();

    UpstreamException e = asyncFailure(adapter.streamAsync(endpoint(), text("hi", true), c -> { }, new Cancellation()));

    assertThat(e.status()).isZero();
    assertThat(e.getCause()).isInstanceOf(java.net.http.HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(FIRST_BYTE_TIMEOUT).isLessThan(Duration.ofSeconds(10));
  }

}
