package dev.silkroute.router.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hedged first tokens end to end, on real sockets: a router (HTTP, Redis, Kafka) in front of
 * provider-sim, where "stalling" sends its first token only after 1.5 s, "lagging" after 450 ms,
 * "slow" after 1.5 s, and "quick" at once. Each request pins its order with {@code provider.only} and
 * {@code provider.order}. The stalling endpoints are never measured fast, so their hedge delay is the
 * ceiling, 300 ms. The budget is the reserve alone (4 hedges per 10 minutes, no share of requests),
 * so that the last test can spend it; the tests run in order for that.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HedgedFirstTokenIT {

  private static final String MODEL = "silkroute/hedged";
  private static final int RESERVE = 4;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String CUSTOMER = "cus_hedgeit";

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static ApplicationContext router;
  private static String baseUrl;
  private static String key;
  private static String prefix;
  private static String topic;
  private static KafkaConsumer<String, byte[]> usage;
  private static final Map<String, UsageEvent> events = new HashMap<>();

  @BeforeAll
  static void start() throws IOException {
    sim = ProviderSim.start(0, List.of("stalling", "lagging", "slow", "quick").stream()
        .map(ProviderConfig::openai).toList());
    sim.update("stalling", k -> k.toBuilder().ttftMs(1_500).build());
    sim.update("lagging", k -> k.toBuilder().ttftMs(450).build());
    sim.update("slow", k -> k.toBuilder().ttftMs(1_500).build());
    StringBuilder catalog = new StringBuilder("providers:\n");
    for (String p : List.of("stalling", "lagging", "slow", "quick")) {
      catalog.append("  ").append(p).append(": {protocol: openai, base_url: \"").append(sim.baseUrl(p)).append("\"}\n");
    }
    catalog.append("models:\n  - id: ").append(MODEL).append("\n    endpoints:\n");
    for (String p : List.of("stalling", "lagging", "slow", "quick")) {
      catalog.append("      - {provider: ").append(p)
          .append(", upstream_model: m, price: {prompt: \"1.00\", completion: \"2.00\"}}\n");
    }
    Path catalogFile = dir.resolve("catalog.yaml");
    Files.writeString(catalogFile, catalog);

    prefix = Infra.uniqueName("hedgeit") + ":";
    key = RouterAccounts.activeKey(prefix, CUSTOMER, "key_hedgeit", KeyLimits.NONE);
    RouterAccounts.setBalance(prefix, CUSTOMER, 1_000_000_000);
    topic = Infra.kafka().createTopic(Infra.uniqueName("usage"), 1);
    router = run(true, "hedgeit-spool");
    baseUrl = "http://127.0.0.1:" + router.getBean(EmbeddedServer.class).getPort();

    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("hedgeit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    usage = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    usage.subscribe(List.of(topic));
    // A cold router's first request takes seconds (connections, classes): not what the tests time.
    send(baseUrl, true, false, "quick");
    send(baseUrl, false, false, "quick");
  }

  private static ApplicationContext run(boolean hedging, String spool) {
    return ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
        Map.entry("silkroute.hedge.enabled", Boolean.toString(hedging)),
        Map.entry("silkroute.hedge.floor", "100ms"),
        Map.entry("silkroute.hedge.ceiling", "300ms"),
        Map.entry("silkroute.hedge.max-share-percent", "0"),
        Map.entry("silkroute.hedge.window", "10m"),
        Map.entry("silkroute.hedge.reserve-per-window", Integer.toString(RESERVE)),
        // Late first tokens must not open circuits or time out here: the point is the hedge.
        Map.entry("silkroute.routing.minimum-calls", "1000"),
        Map.entry("silkroute.routing.sliding-window-calls", "1000"),
        Map.entry("silkroute.routing.first-byte-initial", "5s"),
        Map.entry("silkroute.routing.stats-refresh", "200ms"),
        Map.entry("micronaut.server.port", -1),
        Map.entry("silkroute.router.catalog", dir.resolve("catalog.yaml").toString()),
        Map.entry("silkroute.router.spool-file", dir.resolve(spool).toString()),
        Map.entry("silkroute.router.first-byte-timeout", "10s"),
        Map.entry("silkroute.redis.uri", Infra.redis().uri()),
        Map.entry("silkroute.redis.key-prefix", prefix),
        Map.entry("silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers()),
        Map.entry("silkroute.kafka.usage-topic", topic))).getApplicationContext();
  }

  @AfterAll
  static void stop() {
    if (usage != null) {
      usage.close();
    }
    if (router != null) {
      router.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  @Order(1)
  void aStreamWhoseFirstTokenIsLateIsServedByTheHedgeAndTheStallingLegIsCancelledAndNotBilled() throws Exception {
    long balance = balance();
    long start = System.nanoTime();

    Answer answer = send(baseUrl, true, null, "stalling", "quick");

    assertThat(answer.provider()).isEqualTo("quick");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the hedge at 300 ms, not the stall of 1.5 s")
        .isLessThan(Duration.ofMillis(1_200));
    assertThat(answer.text()).isNotEmpty();
    UsageEvent served = event(answer.id());
    UsageEvent lost = event(answer.id() + "-hedge");
    assertThat(served.getProvider()).isEqualTo("quick");
    assertThat(served.getHedged()).isTrue();
    assertThat(served.getServedByHedge()).isTrue();
    assertThat(served.getHedgeLoss()).isFalse();
    assertThat(served.getAttempts()).isEqualTo(2);
    assertThat(served.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_OK);
    assertThat(served.getTimeToFirstTokenMs()).isBetween(250L, 1_200L);
    assertThat(served.getPriceMicros()).isPositive();
    assertThat(lost.getProvider()).isEqualTo("stalling");
    assertThat(lost.getHedgeLoss()).isTrue();
    assertThat(lost.getHedgeOf()).isEqualTo(answer.id());
    assertThat(lost.getStatus()).as("closed before its first token").isEqualTo(UsageStatus.USAGE_STATUS_CANCELLED);
    assertThat(lost.getCompletionTokens()).isZero();
    assertThat(lost.getPromptTokens()).as("the prompt it read is counted").isPositive();
    assertThat(lost.getProviderCostMicros()).as("an operator cost").isPositive();
    assertThat(lost.getPriceMicros()).as("never the customer's").isZero();
    // The credit is settled for the serving leg alone.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThat(balance - balance()).isEqualTo(served.getPriceMicros()));
    // The stalling provider's stream is closed, not left to run.
    await().atMost(Duration.ofSeconds(5)).until(() -> sim.openStreams("stalling") == 0);
    // Beaten by its hedge: late as a first-byte timeout is, against the endpoint.
    await().atMost(Duration.ofSeconds(5)).until(() -> lateness("stalling") == 1);
    MeterRegistry metrics = router.getBean(MeterRegistry.class);
    assertThat(metrics.get("silkroute.router.hedge.wins").tag("winner", "hedge").counter().count()).isEqualTo(1);
    assertThat(metrics.get("silkroute.router.hedge.cost.micro.usd").tag("provider", "stalling").counter().count())
        .isEqualTo(lost.getProviderCostMicros());
  }

  @Test
  @Order(2)
  void aNonStreamedAnswerIsHedgedToo() {
    long start = System.nanoTime();

    Answer answer = send(baseUrl, false, null, "stalling", "quick");

    assertThat(answer.provider()).isEqualTo("quick");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1_200));
    UsageEvent served = event(answer.id());
    UsageEvent lost = event(answer.id() + "-hedge");
    assertThat(served.getHedged()).isTrue();
    assertThat(served.getServedByHedge()).isTrue();
    assertThat(lost.getProvider()).isEqualTo("stalling");
    assertThat(lost.getHedgeLoss()).isTrue();
    assertThat(lost.getPriceMicros()).isZero();
  }

  @Test
  @Order(3)
  void theFirstLegWinsWhenItsTokenComesBeforeTheHedgesAndTheHedgeIsCancelled() throws Exception {
    Answer answer = send(baseUrl, true, null, "lagging", "slow");

    assertThat(answer.provider()).isEqualTo("lagging");
    UsageEvent served = event(answer.id());
    UsageEvent lost = event(answer.id() + "-hedge");
    assertThat(served.getHedged()).isTrue();
    assertThat(served.getServedByHedge()).isFalse();
    assertThat(served.getAttempts()).isEqualTo(2);
    assertThat(lost.getProvider()).isEqualTo("slow");
    assertThat(lost.getHedgeLoss()).isTrue();
    assertThat(lost.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_CANCELLED);
    assertThat(lateness("slow")).as("a hedge that lost was only second: no verdict").isZero();
    MeterRegistry metrics = router.getBean(MeterRegistry.class);
    assertThat(metrics.get("silkroute.router.hedge.wins").tag("winner", "primary").counter().count()).isEqualTo(1);
  }

  @Test
  @Order(4)
  void aRequestThatOptsOutIsNeverHedged() {
    Answer answer = send(baseUrl, true, false, "stalling", "quick");

    assertThat(answer.provider()).isEqualTo("stalling");
    UsageEvent served = event(answer.id());
    assertThat(served.getHedged()).isFalse();
    assertThat(served.getAttempts()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void hedgesStopOnceTheWindowsBudgetIsSpent() {
    MeterRegistry metrics = router.getBean(MeterRegistry.class);
    double before = metrics.get("silkroute.router.hedges").counter().count();
    assertThat(before).isEqualTo(3);
    List<Boolean> hedged = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Answer answer = send(baseUrl, true, null, "stalling", "quick");
      hedged.add(event(answer.id()).getHedged());
      assertThat(answer.provider()).isEqualTo(hedged.get(i) ? "quick" : "stalling");
    }

    assertThat(hedged).as("one hedge left of " + RESERVE + ", then none").containsExactly(true, false, false);
    assertThat(metrics.get("silkroute.router.hedges").counter().count()).isEqualTo(RESERVE);
  }

  @Test
  @Order(6)
  void withHedgingOffALateFirstTokenIsWaitedForAsBefore() throws Exception {
    try (ApplicationContext off = run(false, "hedgeit-off-spool")) {
      String url = "http://127.0.0.1:" + off.getBean(EmbeddedServer.class).getPort();
      long start = System.nanoTime();

      Answer answer = send(url, true, null, "stalling", "quick");

      assertThat(answer.provider()).isEqualTo("stalling");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
      UsageEvent served = event(answer.id());
      assertThat(served.getHedged()).isFalse();
      assertThat(served.getAttempts()).isEqualTo(1);
      assertThat(off.getBean(MeterRegistry.class).get("silkroute.router.hedges").counter().count()).isZero();
    }
  }

  private record Answer(String id, String provider, String text) {
  }

  private static Answer send(String url, boolean stream, Boolean hedge, String... providers) {
    ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("stream", stream).put("max_tokens", 16);
    body.putArray("messages").addObject().put("role", "user").put("content", "Tell me about the silk road");
    ObjectNode provider = body.putObject("provider");
    List.of(providers).forEach(provider.putArray("only")::add);
    List.of(providers).forEach(provider.putArray("order")::add);
    if (hedge != null) {
      provider.put("hedge", hedge);
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      if (!stream) {
        JsonNode answer = JSON.readTree(response.body());
        return new Answer(answer.path("id").asText(), answer.path("provider").asText(),
            answer.at("/choices/0/message/content").asText());
      }
      StringBuilder text = new StringBuilder();
      JsonNode last = null;
      for (String line : response.body().split("\n")) {
        if (line.startsWith("data: {")) {
          last = JSON.readTree(line.substring(6));
          text.append(last.at("/choices/0/delta/content").asText(""));
        }
      }
      assertThat(response.body()).endsWith("data: [DONE]\n\n");
      return new Answer(last.path("id").asText(), last.path("provider").asText(), text.toString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The provider's first-byte timeouts over 30 minutes, as the endpoints API shows them. */
  private static long lateness(String provider) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
        URI.create(baseUrl + "/v1/models/" + MODEL + "/endpoints")).build(), HttpResponse.BodyHandlers.ofString());
    for (JsonNode e : JSON.readTree(response.body()).at("/data/endpoints")) {
      if (e.path("provider_name").asText().equals(provider)) {
        return e.at("/stats/first_byte_timeouts_30m").asLong();
      }
    }
    throw new AssertionError("no endpoint of " + provider + " in " + response.body());
  }

  /** The usage event {@code eventId} as the router published it to Kafka. */
  private static UsageEvent event(String eventId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (ConsumerRecord<String, byte[]> record : usage.poll(Duration.ofMillis(100))) {
        UsageEvent event = UsageEvent.parseFrom(record.value());
        events.put(event.getEventId(), event);
      }
      return events.containsKey(eventId);
    });
    return events.get(eventId);
  }

  private static long balance() {
    RedisClient client = RedisClient.create(Infra.redis().uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return Long.parseLong(connection.sync().get(new RedisKeys(prefix).balance(CUSTOMER)));
    } finally {
      client.shutdown();
    }
  }
}
