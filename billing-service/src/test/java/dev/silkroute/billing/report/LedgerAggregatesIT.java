package dev.silkroute.billing.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.AdminHttp.Reply;
import dev.silkroute.billing.AggregateChecks;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Usage events with replays through real Kafka; then every aggregate, statement, market share
 * and time series is checked against the ledger rows themselves, and the Redis balance against
 * the grants (ledger writes must not touch it).
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LedgerAggregatesIT implements TestPropertyProvider {

  private static final String[][] MODELS = {
      {"deepseek/deepseek-v3", "deepseek", "deepseek"},
      {"qwen/qwen3-235b", "qwen", "self-hosted"},
      {"qwen/qwen3-235b", "qwen", "alibaba"},
      {"", "", ""}};
  private static final long CREDIT = 10_000_000;

  private final Map<String, String> properties = BillingTestProperties.isolated("aggregates");

  @Inject
  EmbeddedServer server;

  private AdminHttp http;
  private LedgerRows db;
  private String alice;
  private String bob;
  private long redisBalanceAfterGrant;
  private final Instant now = Instant.now();

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @BeforeAll
  void produceEventsWithReplays() throws Exception {
    http = new AdminHttp(URI.create(server.getURL().toString() + "/"));
    db = new LedgerRows(properties.get("datasources.default.url"));
    alice = customer("Alice");
    bob = customer("Bob");
    redisBalanceAfterGrant = Long.parseLong(redis("GET", balanceKey(alice)));

    List<UsageEvent> events = new ArrayList<>();
    Duration[] ages = {Duration.ofHours(50), Duration.ofHours(26), Duration.ofHours(2),
        Duration.ofMinutes(10), null};
    int n = 0;
    for (String customer : List.of(alice, bob)) {
      for (String[] model : MODELS) {
        for (Duration age : ages) {
          events.add(event(customer, model, age, ++n));
        }
      }
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    String topic = properties.get("silkroute.usage.topic");
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (UsageEvent e : events) {
        producer.send(new ProducerRecord<>(topic, e.getCustomerId(), e.toByteArray()));
        producer.send(new ProducerRecord<>(topic, e.getCustomerId(), e.toByteArray()));
      }
      producer.flush();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> db.number("SELECT count(*) FROM ledger") == events.size());
      // Replays once more, after the originals are committed, then a marker per partition.
      for (UsageEvent e : events) {
        producer.send(new ProducerRecord<>(topic, e.getCustomerId(), e.toByteArray()));
      }
      List<String> markers = new ArrayList<>();
      for (String customer : List.of(alice, bob)) {
        UsageEvent marker = event(customer, MODELS[0], Duration.ofMinutes(1), ++n);
        markers.add(marker.getEventId());
        producer.send(new ProducerRecord<>(topic, customer, marker.toByteArray()));
      }
      producer.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> db.number(
          "SELECT count(*) FROM ledger WHERE event_id IN ('" + String.join("','", markers) + "')")
          == 2);
    }
    assertThat(db.number("SELECT count(*) FROM ledger")).isEqualTo(events.size() + 2);
  }

  private String customer(String name) {
    String id = http.post("admin/customers", "{\"name\":\"" + name + "\"}").body().get("id")
        .asText();
    assertThat(http.post("admin/customers/" + id + "/credits",
        "{\"amount_micros\":" + CREDIT + "}").status()).isEqualTo(201);
    return id;
  }

  private UsageEvent event(String customer, String[] model, Duration age, int n) {
    UsageEvent.Builder b = UsageEvent.newBuilder()
        .setEventId("gen-" + UUID.randomUUID().toString().replace("-", ""))
        .setCustomerId(customer)
        .setKeyId("key_" + customer.substring(4, 16) + "00000000000" + (n % 2))
        .setModel(model[0]).setModelAuthor(model[1]).setProvider(model[2])
        .setPromptTokens(100L * n).setCompletionTokens(7L * n)
        .setPriceMicros(1_000L + n).setProviderCostMicros(500L + n)
        .setStatus(UsageStatus.USAGE_STATUS_OK).setAttempts(1);
    if (age != null) {
      Instant at = now.minus(age);
      b.setFinishedAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()));
    }
    return b.build();
  }

  @Test
  void aggregatesEqualTheLedgerAfterReplays() {
    AggregateChecks.assertAggregatesMatchLedger(db);
  }

  @Test
  void statementTotalsEqualTheLedgerForThePeriod() {
    LocalDate today = LocalDate.ofInstant(Instant.now(), ZoneOffset.UTC);
    for (LocalDate from : List.of(today.minusDays(3), today.minusDays(1), today)) {
      LocalDate to = from.equals(today.minusDays(3)) ? today.minusDays(1) : today;
      Reply json = http.get("admin/customers/" + alice + "/statement?from=" + from + "&to=" + to);
      assertThat(json.status()).as(json.raw()).isEqualTo(200);
      String period = "customer_id = '" + alice + "' AND coalesce(finished_at, recorded_at) >= '"
          + from + "T00:00:00Z' AND coalesce(finished_at, recorded_at) < '" + to.plusDays(1)
          + "T00:00:00Z'";
      long amount = db.number("SELECT coalesce(sum(price_micros), 0) FROM ledger WHERE " + period);
      long requests = db.number("SELECT count(*) FROM ledger WHERE " + period);
      long prompt = db.number("SELECT coalesce(sum(prompt_tokens), 0) FROM ledger WHERE " + period);
      JsonNode totals = json.body().get("totals");
      assertThat(amount).as("period %s..%s has usage", from, to).isPositive();
      assertThat(totals.get("amount_micros").asLong()).isEqualTo(amount);
      assertThat(totals.get("requests").asLong()).isEqualTo(requests);
      assertThat(totals.get("prompt_tokens").asLong()).isEqualTo(prompt);
      assertThat(new BigDecimal(totals.get("amount_usd").asText()))
          .isEqualByComparingTo(BigDecimal.valueOf(amount, 6));
      long lineSum = 0;
      for (JsonNode line : json.body().get("line_items")) {
        lineSum += line.get("amount_micros").asLong();
      }
      assertThat(lineSum).isEqualTo(amount);

      Reply csv = http.get("admin/customers/" + alice + "/statement?from=" + from + "&to=" + to
          + "&format=csv");
      assertThat(csv.status()).isEqualTo(200);
      String[] lines = csv.raw().split("\r\n");
      assertThat(lines[0]).startsWith("customer_id,from,to,model,provider,requests");
      assertThat(lines).hasSize(json.body().get("line_items").size() + 2);
      assertThat(lines[lines.length - 1]).contains(",TOTAL,").contains("," + amount + ",");
    }
  }

  @Test
  void marketSharesSumToOneAndTotalsEqualTheLedgerWindow() {
    for (String by : List.of("author", "model", "provider", "customer")) {
      for (String metric : List.of("tokens", "spend", "requests")) {
        for (String window : List.of("1h", "1d", "7d", "30d")) {
          Reply reply = http.get("admin/analytics/market-share?by=" + by + "&window=" + window
              + "&metric=" + metric);
          assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
          long total = reply.body().get("total").asLong();
          long sum = 0;
          BigDecimal shares = BigDecimal.ZERO;
          for (JsonNode share : reply.body().get("data")) {
            sum += share.get("value").asLong();
            shares = shares.add(new BigDecimal(share.get("share").asText()));
          }
          String expr = switch (metric) {
            case "tokens" -> "prompt_tokens + completion_tokens";
            case "spend" -> "price_micros";
            default -> "1";
          };
          long expected = db.number("SELECT coalesce(sum(" + expr + "), 0) FROM ledger"
              + " WHERE coalesce(finished_at, recorded_at) >= now() - interval '"
              + window.replace("h", " hour").replace("d", " day") + "'");
          assertThat(total).as("%s %s %s", by, metric, window).isEqualTo(expected).isPositive();
          assertThat(sum).isEqualTo(total);
          assertThat(shares.subtract(BigDecimal.ONE).abs())
              .isLessThanOrEqualTo(new BigDecimal("1e-8"));
        }
      }
    }
    JsonNode byCustomer = http.get("admin/analytics/market-share?by=customer&window=30d&metric=spend")
        .body();
    assertThat(byCustomer.get("data")).hasSize(2);
  }

  @Test
  void timeseriesSumsEqualTheLedgerPerDay() {
    Reply reply = http.get("admin/analytics/timeseries?by=provider&days=5&metric=spend");
    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    LocalDate from = LocalDate.parse(reply.body().get("from").asText());
    long sum = 0;
    for (JsonNode line : reply.body().get("series")) {
      assertThat(line.get("points")).hasSize(5);
      sum += line.get("total").asLong();
    }
    assertThat(sum).isEqualTo(db.number("SELECT sum(price_micros) FROM ledger"
        + " WHERE coalesce(finished_at, recorded_at) >= '" + from + "T00:00:00Z'"));
  }

  @Test
  void ledgerWritesLeaveTheRedisBalanceToTheRouter() {
    assertThat(redisBalanceAfterGrant).isEqualTo(CREDIT);
    assertThat(db.number("SELECT spent_micros FROM customer_balances WHERE customer_id = '"
        + alice + "'")).isPositive();
    assertThat(Long.parseLong(redis("GET", balanceKey(alice)))).isEqualTo(CREDIT);
  }

  @Test
  void answersBadAnalyticsParametersWith400() {
    for (String query : List.of("market-share?by=planet", "market-share?window=2h",
        "market-share?metric=joy", "timeseries?days=0", "timeseries?days=x")) {
      Reply reply = http.get("admin/analytics/" + query);
      assertThat(reply.status()).as(query).isEqualTo(400);
      assertThat(reply.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }
  }

  private String balanceKey(String customer) {
    return new RedisKeys(properties.get("silkroute.redis.key-prefix")).balance(customer);
  }

  private static String redis(String command, String key) {
    RedisClient client = RedisClient.create(Infra.redis().uri());
    try (var connection = client.connect()) {
      return connection.sync().get(key);
    } finally {
      client.shutdown();
    }
  }
}
