package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing when providers fail, end to end: a real router (HTTP, Redis for keys, credit and endpoint
 * statistics, Kafka for usage) in front of provider-sim, where one provider answers 500s, one never
 * answers, one answers 429 with Retry-After, one cuts its streams, and one is steady.
 *
 * <p>Circuits are tuned small (open after 4 calls of which half failed, for 2 s, closed again after
 * 2 good probes) and statistics are re-read every 200 ms, so that everything happens within seconds.
 * Most tests pin the order with {@code provider.only} + {@code provider.order} (the failing provider
 * first, then the steady one), so that which provider is tried is not left to the price draw; each
 * uses its own failing provider, so circuits do not carry from one test to the next. The last test
 * lets the default routing loose on all of them at once, on a second model with its own endpoints.
 */
class RoutingResilienceIT {

  private static final String MODEL = "silkroute/resilient";
  private static final String STORM = "silkroute/storm";
  private static final List<String> PROVIDERS = List.of("broken", "silent", "limited", "cutter", "steady");
  /** Only for {@link #MODEL}, where tests pin the order: left to the default order they would take the storm. */
  private static final List<String> PINNED_ONLY = List.of("staller", "lagger", "refused");
  private static final Duration OPEN_FOR = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static ApplicationContext router;
  private static String baseUrl;
  private static String key;

  @BeforeAll
  static void start() throws IOException {
    List<String> simulated = new ArrayList<>(PROVIDERS);
    simulated.addAll(List.of("staller", "lagger"));
    sim = ProviderSim.start(0, simulated.stream().map(ProviderConfig::openai).toList());
    StringBuilder catalog = new StringBuilder("providers:\n");
    simulated.forEach(p -> catalog.append("  ").append(p).append(": {protocol: openai, base_url: \"")
        .append(sim.baseUrl(p)).append("\"}\n"));
    // Nothing listens there: every connection is refused.
    catalog.append("  refused: {protocol: openai, base_url: \"http://127.0.0.1:").append(closedPort())
        .append("/v1\"}\n");
    catalog.append("models:\n");
    for (String model : List.of(MODEL, STORM)) {
      catalog.append("  - id: ").append(model).append("\n    endpoints:\n");
      List<String> providers = new ArrayList<>(PROVIDERS);
      if (model.equals(MODEL)) {
        providers.addAll(PINNED_ONLY);
      }
      for (String p : providers) {
        // The failing ones are the cheapest: left to itself, routing would send them everything.
        String price = p.equals("steady") ? "1.00" : "0.10";
        catalog.append("      - {provider: ").append(p).append(", upstream_model: m, price: {prompt: \"")
            .append(price).append("\", completion: \"").append(price).append("\"}}\n");
      }
    }
    Path catalogFile = dir.resolve("catalog.yaml");
    Files.writeString(catalogFile, catalog);

    String prefix = Infra.uniqueName("resilienceit") + ":";
    key = RouterAccounts.activeKey(prefix, "cus_resilienceit", "key_resilienceit", KeyLimits.NONE);
    RouterAccounts.setBalance(prefix, "cus_resilienceit", 1_000_000_000); // $1,000 of credit

    EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
        Map.entry("silkroute.routing.sliding-window-calls", "4"),
        Map.entry("silkroute.routing.minimum-calls", "4"),
        Map.entry("silkroute.routing.failure-rate-percent", "50"),
        Map.entry("silkroute.routing.open-for", OPEN_FOR.toMillis() + "ms"),
        Map.entry("silkroute.routing.probes-when-half-open", "2"),
        Map.entry("silkroute.routing.stats-refresh", "200ms"),
        // First-byte timeouts: 1 s for an endpoint not measured yet, else 3 x its p99 but at least
        // 200 ms; a request's last candidate waits up to 5 s.
        Map.entry("silkroute.routing.first-byte-initial", "1s"),
        Map.entry("silkroute.routing.first-byte-floor", "200ms"),
        Map.entry("silkroute.routing.stall-timeout", "500ms"),
        Map.entry("micronaut.server.port", -1),
        Map.entry("silkroute.router.catalog", catalogFile.toString()),
        Map.entry("silkroute.router.spool-file", dir.resolve("spool").toString()),
        Map.entry("silkroute.router.stream-commit-after", "200ms"),
        Map.entry("silkroute.router.keep-alive-interval", "100ms"),
        Map.entry("silkroute.router.first-byte-timeout", "5s"),
        Map.entry("silkroute.redis.uri", Infra.redis().uri()),
        Map.entry("silkroute.redis.key-prefix", prefix),
        Map.entry("silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers()),
        Map.entry("silkroute.kafka.usage-topic", Infra.kafka().createTopic(Infra.uniqueName("usage"), 1))));
    router = server.getApplicationContext();
    baseUrl = "http://127.0.0.1:" + server.getPort();
  }

  @AfterAll
  static void stop() {
    if (router != null) {
      router.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @AfterEach
  void resetProviders() {
    PROVIDERS.forEach(p -> sim.update(p, Knobs.defaults()));
    List.of("staller", "lagger").forEach(p -> sim.update(p, Knobs.defaults()));
  }

  @Test
  void serverErrorsFallBackThenOpenTheCircuitWhichClosesAgainOnceTheProviderRecovers() {
    sim.update("broken", k -> k.toBuilder().errorRate(1.0).build());
    long before = sim.requestCount("broken");

    Answer first = send(MODEL, false, true, "broken", "steady");
    assertThat(first.provider()).isEqualTo("steady");
    JsonNode attempts = first.routing().path("attempts");
    assertThat(attempts).hasSize(2);
    assertAttempt(attempts.get(0), "broken", "provider_error", "500");
    assertAttempt(attempts.get(1), "steady", "ok", null);

    long beforeOpening = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      assertThat(send(MODEL, false, false, "broken", "steady").provider()).isEqualTo("steady");
    }
    // 4 calls, all failed: the circuit is open, and the provider is passed over without a call.
    assertThat(sim.requestCount("broken") - before).isEqualTo(4);
    assertThat(endpoint(MODEL, "broken").at("/stats/circuit").asText()).isEqualTo("open");
    for (int i = 0; i < 4; i++) {
      assertThat(send(MODEL, false, false, "broken", "steady").provider()).isEqualTo("steady");
    }
    Answer passedOver = send(MODEL, false, true, "broken", "steady");
    assertThat(passedOver.provider()).isEqualTo("steady");
    assertAttempt(passedOver.routing().at("/attempts/0"), "broken", "skipped", "circuit_open");
    assertThat(sim.requestCount("broken") - before).isEqualTo(4);

    // It recovers: once open-for is over, probes go through, succeed, and the circuit closes.
    sim.update("broken", Knobs.defaults());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> send(MODEL, false, false, "broken", "steady").provider().equals("broken"));
    assertThat(Duration.ofNanos(System.nanoTime() - beforeOpening)).isGreaterThanOrEqualTo(OPEN_FOR);
    for (int i = 0; i < 3; i++) {
      assertThat(send(MODEL, false, false, "broken", "steady").provider()).isEqualTo("broken");
    }
    assertThat(endpoint(MODEL, "broken").at("/stats/circuit").asText()).isEqualTo("closed");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonNode broken = endpoint(MODEL, "broken");
      assertThat(broken.path("uptime_last_5m").asDouble()).isBetween(1.0, 99.0);
      assertThat(broken.at("/stats/requests_5m").asLong()).isEqualTo(sim.requestCount("broken") - before);
    });
  }

  @Test
  void aProviderThatNeverAnswersTimesOutAtTheFirstByteThenIsPassedOverWithoutWaiting() {
    sim.update("silent", k -> k.toBuilder().neverAnswer(true).build());
    long before = sim.requestCount("silent");

    Answer first = send(MODEL, false, true, "silent", "steady");
    assertThat(first.provider()).isEqualTo("steady");
    JsonNode timedOut = first.routing().at("/attempts/0");
    assertAttempt(timedOut, "silent", "first_byte_timeout", null);
    // Never measured: the initial first-byte timeout, not the 5 s ceiling.
    assertThat(timedOut.path("latency_ms").asLong()).isBetween(1_000L, 2_500L);
    for (int i = 0; i < 3; i++) {
      assertThat(send(MODEL, false, false, "silent", "steady").provider()).isEqualTo("steady");
    }
    assertThat(sim.requestCount("silent") - before).isEqualTo(4);

    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      assertThat(send(MODEL, false, false, "silent", "steady").provider()).isEqualTo("steady");
      // Open circuit: no second of waiting for a provider known not to answer.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
    }
    assertThat(sim.requestCount("silent") - before).isEqualTo(4);
    assertThat(endpoint(MODEL, "silent").at("/stats/circuit").asText()).isEqualTo("open");
  }

  @Test
  void aStreamWhoseFirstTokenNeverComesMovesOnAtItsFirstByteTimeout() {
    sim.update("lagger", k -> k.toBuilder().neverAnswer(true).build());
    long start = System.nanoTime();

    Answer streamed = send(MODEL, true, true, "lagger", "steady");

    assertThat(streamed.provider()).isEqualTo("steady");
    assertThat(streamed.errorChunk()).isFalse();
    assertAttempt(streamed.routing().at("/attempts/0"), "lagger", "first_byte_timeout", null);
    assertAttempt(streamed.routing().at("/attempts/1"), "steady", "ok", null);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  void aMeasuredProviderIsGivenUpAfterThreeTimesItsP99NotTheInitialTimeout() {
    sim.update("lagger", k -> k.toBuilder().ttftMs(100).build());
    for (int i = 0; i < 6; i++) {
      assertThat(send(MODEL, true, false, "lagger", "steady").provider()).isEqualTo("lagger");
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoint(MODEL, "lagger").at("/stats/ttft_p99_ms").asLong() > 0);
    long p99 = endpoint(MODEL, "lagger").at("/stats/ttft_p99_ms").asLong();
    long timeoutsBefore = endpoint(MODEL, "lagger").at("/stats/first_byte_timeouts_30m").asLong();

    sim.update("lagger", k -> k.toBuilder().neverAnswer(true).build());
    Answer answer = send(MODEL, true, true, "lagger", "steady");

    assertThat(answer.provider()).isEqualTo("steady");
    JsonNode timedOut = answer.routing().at("/attempts/0");
    assertAttempt(timedOut, "lagger", "first_byte_timeout", null);
    assertThat(timedOut.path("latency_ms").asLong()).as("3 x p99 of " + p99 + " ms, at least the 200 ms floor")
        .isBetween(Math.max(200, 3 * p99), 1_000L - 1);
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(endpoint(MODEL, "lagger").at("/stats/first_byte_timeouts_30m").asLong())
            .isEqualTo(timeoutsBefore + 1));
  }

  @Test
  void aStreamThatStallsAfterItsFirstTokensEndsInAnErrorChunkBillingWhatCame() {
    sim.update("staller", k -> k.toBuilder().tokensPerSecond(100).completionTokens(40).stallAfterTokens(5).build());
    long start = System.nanoTime();

    Answer streamed = send(MODEL, true, true, "staller", "steady");

    assertThat(streamed.provider()).isEqualTo("staller");
    assertThat(streamed.errorChunk()).as("an error chunk ends the stalled stream").isTrue();
    assertThat(streamed.errorMessage()).contains("stalled");
    assertAttempt(streamed.routing().at("/attempts/0"), "staller", "stall", null);
    assertThat(streamed.routing().path("attempts")).hasSize(1);
    // What was generated before the stall is billed.
    assertThat(streamed.usage().path("completion_tokens").asLong()).isGreaterThanOrEqualTo(5);
    assertThat(streamed.usage().path("cost").decimalValue()).isPositive();
    // 5 tokens at 100/s, then the 500 ms stall timeout: nowhere near a minute.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(endpoint(MODEL, "staller").at("/stats/stalls_30m").asLong()).isEqualTo(1));
  }

  @Test
  void aRefusedConnectionFailsOverAtOnce() {
    long start = System.nanoTime();

    Answer answer = send(MODEL, false, true, "refused", "steady");

    assertThat(answer.provider()).isEqualTo("steady");
    assertAttempt(answer.routing().at("/attempts/0"), "refused", "provider_error", null);
    assertThat(answer.routing().at("/attempts/0/latency_ms").asLong()).isLessThan(200);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void a429HoldsTheProviderBackUntilItsRetryAfterHasPassed() {
    sim.update("limited", k -> k.toBuilder().rateLimitRate(1.0).retryAfterSeconds(2).build());
    long before = sim.requestCount("limited");
    long start = System.nanoTime();

    Answer first = send(MODEL, false, true, "limited", "steady");
    assertThat(first.provider()).isEqualTo("steady");
    assertAttempt(first.routing().at("/attempts/0"), "limited", "rate_limited", "429");
    Answer second = send(MODEL, false, true, "limited", "steady");
    assertThat(second.provider()).isEqualTo("steady");
    assertAttempt(second.routing().at("/attempts/0"), "limited", "skipped", "retry_after");

    // It would serve now, but said to come back in 2 s: until then nothing reaches it.
    sim.update("limited", Knobs.defaults());
    await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(100))
        .until(() -> send(MODEL, false, false, "limited", "steady").provider().equals("limited"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(sim.requestCount("limited") - before).isEqualTo(2);
    // Busy is not broken: a 429 never opens the circuit.
    assertThat(endpoint(MODEL, "limited").at("/stats/circuit").asText()).isEqualTo("closed");
  }

  @Test
  void aStreamCutAfterItsFirstTokenEndsInAnErrorChunkButACutBeforeItFallsBack() {
    // Paced, so that tokens reach the router (and the client) before the connection drops.
    sim.update("cutter", k -> k.toBuilder().tokensPerSecond(50).completionTokens(40).streamCutAfterTokens(10)
        .build());
    long cutterBefore = sim.requestCount("cutter");
    long steadyBefore = sim.requestCount("steady");

    Answer streamed = send(MODEL, true, true, "cutter", "steady");
    assertThat(streamed.provider()).isEqualTo("cutter");
    assertThat(streamed.errorChunk()).as("an error chunk ends the cut stream").isTrue();
    assertThat(streamed.routing().path("attempts")).hasSize(1);
    assertAttempt(streamed.routing().at("/attempts/0"), "cutter", "provider_error", null);
    assertThat(sim.requestCount("steady")).as("too late to move on").isEqualTo(steadyBefore);

    // Not streamed, nothing reached the client before the body broke: the next provider answers.
    Answer whole = send(MODEL, false, true, "cutter", "steady");
    assertThat(whole.provider()).isEqualTo("steady");
    assertAttempt(whole.routing().at("/attempts/0"), "cutter", "provider_error", null);

    assertThat(send(MODEL, true, false, "cutter", "steady").errorChunk()).isTrue();
    assertThat(send(MODEL, false, false, "cutter", "steady").provider()).isEqualTo("steady");
    assertThat(sim.requestCount("cutter") - cutterBefore).isEqualTo(4);

    // Four cuts opened its circuit: streams now go to the steady provider, whole.
    Answer after = send(MODEL, true, false, "cutter", "steady");
    assertThat(after.provider()).isEqualTo("steady");
    assertThat(after.errorChunk()).isFalse();
    assertThat(sim.requestCount("cutter") - cutterBefore).isEqualTo(4);
    assertThat(endpoint(MODEL, "cutter").at("/stats/circuit").asText()).isEqualTo("open");
  }

  @Test
  void underTheDefaultOrderEveryClientIsServedAndTheEndpointsApiShowsWhoFailed() {
    sim.update("broken", k -> k.toBuilder().errorRate(1.0).build());
    sim.update("silent", k -> k.toBuilder().neverAnswer(true).build());
    sim.update("limited", k -> k.toBuilder().rateLimitRate(1.0).retryAfterSeconds(1).build());
    sim.update("cutter", k -> k.toBuilder().tokensPerSecond(50).completionTokens(40).streamCutAfterTokens(10)
        .build());
    // Measurable: 20 ms to the first token, then 20 tokens at 400 tokens/s.
    sim.update("steady", k -> k.toBuilder().ttftMs(20).tokensPerSecond(400).completionTokens(20).build());

    int servedBySteady = 0;
    for (int i = 0; i < 16; i++) {
      boolean stream = i % 2 == 1;
      Answer answer = send(STORM, stream, false);
      if (!stream) {
        // Every failure came before the first byte: the steady provider always answers in the end.
        assertThat(answer.provider()).isEqualTo("steady");
      } else if (answer.provider().equals("cutter")) {
        assertThat(answer.errorChunk()).as("a stream cut past its first token says so").isTrue();
      } else {
        assertThat(answer.provider()).isEqualTo("steady");
        assertThat(answer.errorChunk()).isFalse();
      }
      servedBySteady += answer.provider().equals("steady") ? 1 : 0;
    }
    assertThat(servedBySteady).isGreaterThanOrEqualTo(12);
    long steadyServed = servedBySteady;

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      for (String failing : List.of("broken", "silent", "limited", "cutter")) {
        JsonNode e = endpoint(STORM, failing);
        assertThat(e.at("/stats/requests_5m").asLong()).as(failing).isPositive();
        assertThat(e.at("/stats/uptime_5m").asDouble()).as(failing).isLessThan(1.0);
        assertThat(e.path("uptime_last_5m").asDouble()).as(failing).isLessThan(100.0);
      }
      // Their circuits opened (a 429 opens none: busy is not broken, and its few calls say too little).
      for (String broken : List.of("broken", "silent", "cutter")) {
        assertThat(endpoint(STORM, broken).at("/stats/circuit").asText()).as(broken).isNotEqualTo("closed");
        assertThat(endpoint(STORM, broken).at("/stats/health").asText()).as(broken).isNotEqualTo("healthy");
      }
      JsonNode steady = endpoint(STORM, "steady");
      assertThat(steady.at("/stats/requests_5m").asLong()).isEqualTo(steadyServed);
      assertThat(steady.path("uptime_last_5m").asDouble()).isEqualTo(100.0);
      assertThat(steady.at("/stats/uptime_1d").asDouble()).isEqualTo(1.0);
      assertThat(steady.at("/stats/circuit").asText()).isEqualTo("closed");
      assertThat(steady.at("/stats/ttft_p50_ms").asLong()).isBetween(10L, 1_000L);
      assertThat(steady.at("/stats/ttft_p99_ms").asLong())
          .isGreaterThanOrEqualTo(steady.at("/stats/ttft_p50_ms").asLong());
      assertThat(steady.at("/stats/latency_p50_ms").asLong())
          .isGreaterThanOrEqualTo(steady.at("/stats/ttft_p50_ms").asLong());
      assertThat(steady.at("/stats/latency_p99_ms").asLong())
          .isGreaterThanOrEqualTo(steady.at("/stats/latency_p50_ms").asLong());
      assertThat(steady.at("/stats/throughput_tokens_per_second").asLong()).isBetween(50L, 2_000L);
      assertThat(steady.at("/latency_last_30m/p50").asLong()).isEqualTo(steady.at("/stats/ttft_p50_ms").asLong());
      assertThat(steady.at("/throughput_last_30m/p50").asLong()).isPositive();
    });
  }

  /** A port nothing listens on: bound once by the system's choice, then released. */
  private static int closedPort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** What a client got: who served it, whether a stream ended in an error chunk, the routing block. */
  private record Answer(String provider, boolean errorChunk, String errorMessage, JsonNode routing, JsonNode usage) {
  }

  /**
   * One chat request for {@code model}; with {@code providers}, only those, in that order. Asserts
   * that the client got a 200 (a failure past the first byte travels inside the stream).
   */
  private static Answer send(String model, boolean stream, boolean withRouting, String... providers) {
    ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", stream).put("max_tokens", 64);
    body.putArray("messages").addObject().put("role", "user").put("content", "Tell me about the silk road");
    if (providers.length > 0) {
      ObjectNode provider = body.putObject("provider");
      List.of(providers).forEach(provider.putArray("only")::add);
      List.of(providers).forEach(provider.putArray("order")::add);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (withRouting) {
      request.header("X-Silkroute-Metadata", "enabled");
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      if (!stream) {
        JsonNode answer = JSON.readTree(response.body());
        return new Answer(answer.path("provider").asText(), false, null, answer.path("routing"), answer.path("usage"));
      }
      List<JsonNode> events = new ArrayList<>();
      for (String line : response.body().split("\n")) {
        if (line.startsWith("data: {")) {
          events.add(JSON.readTree(line.substring(6)));
        }
      }
      assertThat(response.body()).endsWith("data: [DONE]\n\n");
      JsonNode last = events.get(events.size() - 1);
      String error = events.stream().filter(e -> e.has("error")
          && e.at("/choices/0/finish_reason").asText().equals("error"))
          .map(e -> e.at("/error/message").asText()).findFirst().orElse(null);
      return new Answer(last.path("provider").asText(), error != null, error, last.path("routing"), last.path("usage"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** One endpoint of the model as {@code GET /v1/models/{author}/{slug}/endpoints} lists it. */
  private static JsonNode endpoint(String model, String provider) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
          URI.create(baseUrl + "/v1/models/" + model + "/endpoints")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      for (JsonNode e : JSON.readTree(response.body()).at("/data/endpoints")) {
        if (e.path("provider_name").asText().equals(provider)) {
          return e;
        }
      }
      throw new AssertionError("no endpoint of " + provider + " in " + response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void assertAttempt(JsonNode attempt, String provider, String outcome, String detail) {
    assertThat(attempt.path("provider").asText()).as(attempt.toString()).isEqualTo(provider);
    assertThat(attempt.path("outcome").asText()).as(attempt.toString()).isEqualTo(outcome);
    if (detail != null) {
      assertThat(attempt.path("detail").asText()).as(attempt.toString()).isEqualTo(detail);
    }
  }
}
