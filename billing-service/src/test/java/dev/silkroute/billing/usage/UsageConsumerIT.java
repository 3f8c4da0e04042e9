package dev.silkroute.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.AggregateChecks;
import dev.silkroute.billing.AdminHttp.Reply;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Usage events through a real Kafka broker into a real PostgreSQL ledger, read back through the
 * admin API. Each run has its own topics, consumer group, database and Redis prefix.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UsageConsumerIT implements TestPropertyProvider {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Map<String, String> properties = BillingTestProperties.isolated("usage");

  {
    // Small batches, so that several are in flight at once in the writer pipeline.
    properties.put("silkroute.usage.max-poll-records", "20");
  }

  @Inject
  EmbeddedServer server;

  private AdminHttp http;
  private KafkaProducer<String, byte[]> producer;
  private RedisClient redisClient;
  private RedisCommands<String, String> redis;
  private RedisKeys keys;

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @BeforeAll
  void connect() {
    http = new AdminHttp(URI.create(server.getURL().toString() + "/"));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    redisClient = RedisClient.create(Infra.redis().uri());
    redis = redisClient.connect().sync();
    keys = new RedisKeys(properties.get("silkroute.redis.key-prefix"));
  }

  @AfterAll
  void disconnect() {
    producer.close();
    redisClient.shutdown();
  }

  private String topic() {
    return properties.get("silkroute.usage.topic");
  }

  private String createCustomer(long creditMicros) {
    Reply created = http.post("admin/customers", "{\"name\":\"Usage Customer\"}");
    String id = created.body().get("id").asText();
    http.post("admin/customers/" + id + "/credits", "{\"amount_micros\":" + creditMicros + "}");
    return id;
  }

  private static String generationId() {
    return "gen-" + UUID.randomUUID().toString().replace("-", "");
  }

  private static UsageEvent event(String customer, long priceMicros) {
    return UsageEvent.newBuilder()
        .setEventId(generationId())
        .setCustomerId(customer)
        .setKeyId("key_0123456789abcdef01234567")
        .setModel("qwen/qwen3-235b")
        .setModelAuthor("qwen")
        .setProvider("self-hosted")
        .setEndpoint("qwen/qwen3-235b@pool-a")
        .setWorkerId("worker-7")
        .setPromptTokens(1000)
        .setCompletionTokens(250)
        .setCachedTokens(100)
        .setReasoningTokens(40)
        .setProviderCostMicros(priceMicros / 2)
        .setPriceMicros(priceMicros)
        .setLatencyMs(1800)
        .setTimeToFirstTokenMs(120)
        .setGenerationMs(1650)
        .setStatus(UsageStatus.USAGE_STATUS_OK)
        .setFinishReason("stop")
        .setAttempts(1)
        .setStreamed(true)
        .setStartedAt(Timestamp.newBuilder().setSeconds(1_763_000_000).setNanos(250_000_000))
        .setFinishedAt(Timestamp.newBuilder().setSeconds(1_763_000_001).setNanos(800_000_000))
        .setRouterInstance("router-it")
        .build();
  }

  private void send(String key, byte[] value) throws Exception {
    producer.send(new ProducerRecord<>(topic(), key, value)).get();
  }

  private Reply awaitLedgerRow(String eventId) {
    return await().atMost(WAIT).until(() -> http.get("admin/ledger/" + eventId),
        r -> r.status() == 200);
  }

  private JsonNode account(String customer) {
    return http.get("admin/customers/" + customer).body();
  }

  @Test
  @Order(1)
  void recordsEventsAndChargesTheCustomer() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent first = event(customer, 1_500);
    UsageEvent second = event(customer, 2_500).toBuilder()
        .setFinishedAt(Timestamp.newBuilder().setSeconds(1_763_000_002)).build();

    send(customer, first.toByteArray());
    send(customer, second.toByteArray());

    JsonNode row = awaitLedgerRow(first.getEventId()).body();
    awaitLedgerRow(second.getEventId());
    assertThat(row.get("event_id").asText()).isEqualTo(first.getEventId());
    assertThat(row.get("customer_id").asText()).isEqualTo(customer);
    assertThat(row.get("model").asText()).isEqualTo("qwen/qwen3-235b");
    assertThat(row.get("model_author").asText()).isEqualTo("qwen");
    assertThat(row.get("provider").asText()).isEqualTo("self-hosted");
    assertThat(row.get("worker_id").asText()).isEqualTo("worker-7");
    assertThat(row.get("prompt_tokens").asLong()).isEqualTo(1000);
    assertThat(row.get("completion_tokens").asLong()).isEqualTo(250);
    assertThat(row.get("price_micros").asLong()).isEqualTo(1_500);
    assertThat(row.get("provider_cost_micros").asLong()).isEqualTo(750);
    assertThat(row.get("status").asText()).isEqualTo("ok");
    assertThat(row.get("streamed").asBoolean()).isTrue();
    assertThat(row.get("started_at").asText()).isEqualTo("2025-11-13T02:13:20.250Z");
    assertThat(row.get("kafka_topic").asText()).isEqualTo(topic());
    JsonNode account = account(customer);
    assertThat(account.get("spent_micros").asLong()).isEqualTo(4_000);
    assertThat(account.get("balance_micros").asLong()).isEqualTo(996_000);
    assertThat(account.get("requests").asLong()).isEqualTo(2);
    assertThat(account.get("prompt_tokens").asLong()).isEqualTo(2000);
    assertThat(account.get("completion_tokens").asLong()).isEqualTo(500);
    JsonNode ledger = http.get("admin/customers/" + customer + "/ledger?limit=10").body();
    assertThat(ledger.get("data")).hasSize(2);
    assertThat(ledger.get("data").get(0).get("event_id").asText()).isEqualTo(second.getEventId());
  }

  @Test
  @Order(2)
  void recordsAReplayedEventOnceAndChargesItOnce() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent event = event(customer, 7_000);
    UsageEvent marker = event(customer, 1);

    send(customer, event.toByteArray());
    awaitLedgerRow(event.getEventId());
    send(customer, event.toByteArray());
    send(customer, event.toByteArray());
    // Same partition (same key), so once the marker is in, the replays were consumed before it.
    send(customer, marker.toByteArray());
    awaitLedgerRow(marker.getEventId());

    JsonNode account = account(customer);
    assertThat(account.get("spent_micros").asLong()).isEqualTo(7_001);
    assertThat(account.get("requests").asLong()).isEqualTo(2);
    assertThat(http.get("admin/customers/" + customer + "/ledger").body().get("data")).hasSize(2);
  }

  @Test
  @Order(3)
  void deadLettersGarbageAndCarriesOnWithTheNextEvent() throws Exception {
    String customer = createCustomer(1_000_000);
    byte[] garbage = "{\"this is\": \"json, not protobuf\"}".getBytes(StandardCharsets.UTF_8);
    UsageEvent invalid = event(customer, 10).toBuilder().setEventId("").build();
    UsageEvent good = event(customer, 3_000);

    send(customer, garbage);
    send(customer, invalid.toByteArray());
    send(customer, good.toByteArray());

    awaitLedgerRow(good.getEventId());
    List<ConsumerRecord<byte[], byte[]>> dead = awaitDeadLetters(2);
    assertThat(dead.get(0).value()).isEqualTo(garbage);
    assertThat(dead.get(0).key()).isEqualTo(customer.getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead.get(0), "silkroute-dlq-reason"))
        .startsWith("not a silkroute.v1.UsageEvent");
    assertThat(dead.get(1).value()).isEqualTo(invalid.toByteArray());
    assertThat(header(dead.get(1), "silkroute-dlq-reason")).isEqualTo("event_id is empty");
    assertThat(account(customer).get("spent_micros").asLong()).isEqualTo(3_000);
    String metrics = http.getWithoutToken("prometheus").raw();
    assertThat(metrics).contains("silkroute_billing_usage_dead_lettered_total{reason=\"undecodable\"} 1.0");
    assertThat(metrics).contains("silkroute_billing_usage_dead_lettered_total{reason=\"invalid\"} 1.0");
    assertThat(metrics).contains("silkroute_billing_usage_recorded_total");
    assertThat(metrics).contains("silkroute_billing_usage_duplicates_total");
  }

  @Test
  @Order(4)
  void keepsEventsWhileTheDatabaseFailsAndRecordsThemWhenItRecovers() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent event = event(customer, 900);
    awaitHealth("UP");

    execute("ALTER TABLE ledger RENAME TO ledger_away");
    try {
      send(customer, event.toByteArray());
      JsonNode health = awaitHealth("DOWN");
      assertThat(health.toString()).contains("usage-consumer").contains("ledger");
    } finally {
      execute("ALTER TABLE ledger_away RENAME TO ledger");
    }

    awaitLedgerRow(event.getEventId());
    awaitHealth("UP");
    assertThat(account(customer).get("spent_micros").asLong()).isEqualTo(900);
  }

  @Test
  @Order(5)
  void rewindsEveryBatchInFlightWhenTheDatabaseFailsAndRecordsEachEventOnce() throws Exception {
    List<String> customers = List.of(createCustomer(10_000_000), createCustomer(10_000_000),
        createCustomer(10_000_000));
    awaitHealth("UP");
    int perCustomer = 150;
    execute("ALTER TABLE ledger RENAME TO ledger_away");
    try {
      for (int i = 0; i < perCustomer; i++) {
        for (int c = 0; c < customers.size(); c++) {
          // Keys spread the events over the partitions; many 20-record batches queue up.
          UsageEvent e = event(customers.get(c), 10);
          producer.send(new ProducerRecord<>(topic(), customers.get(c) + "-" + i, e.toByteArray()));
        }
      }
      producer.flush();
      awaitHealth("DOWN");
    } finally {
      execute("ALTER TABLE ledger_away RENAME TO ledger");
    }

    LedgerRows db = new LedgerRows(properties.get("datasources.default.url"));
    String ours = "customer_id IN ('" + String.join("', '", customers) + "')";
    await().atMost(WAIT).until(
        () -> db.number("SELECT count(*) FROM ledger WHERE " + ours),
        n -> n >= 3L * perCustomer);
    awaitHealth("UP");
    assertThat(db.number("SELECT count(DISTINCT event_id) FROM ledger WHERE " + ours))
        .isEqualTo(3L * perCustomer);
    assertThat(db.number("SELECT count(*) FROM ledger WHERE " + ours)).isEqualTo(3L * perCustomer);
    for (String customer : customers) {
      assertThat(account(customer).get("spent_micros").asLong()).isEqualTo(perCustomer * 10L);
    }
    AggregateChecks.assertAggregatesMatchLedger(db);
  }

  @Test
  @Order(6)
  void listsACustomersLedgerNewestFirstByUsageTimeWhateverOrderItArrivedIn() throws Exception {
    // Two writers (the default) and 20-record polls: batches commit out of poll order, and
    // events arrive late (a router's spool replayed after an outage), so neither the order of
    // arrival nor seq is the order of use.
    assertThat(properties).doesNotContainKey("silkroute.usage.writers");
    String customer = createCustomer(10_000_000);
    List<Long> finishedAt = new ArrayList<>();
    for (long second = 0; second < 200; second++) {
      finishedAt.add(1_763_000_000L + second * 7);
    }
    Collections.shuffle(finishedAt, new Random(6));
    Map<Long, String> eventAt = new HashMap<>();
    for (long at : finishedAt) {
      UsageEvent e = event(customer, 10).toBuilder()
          .setFinishedAt(Timestamp.newBuilder().setSeconds(at)).build();
      producer.send(new ProducerRecord<>(topic(), customer, e.toByteArray()));
      eventAt.put(at, e.getEventId());
    }
    producer.flush();

    LedgerRows db = new LedgerRows(properties.get("datasources.default.url"));
    await().atMost(WAIT).until(() -> account(customer).get("requests").asLong(), n -> n == 200);
    List<String> listed = new ArrayList<>();
    http.get("admin/customers/" + customer + "/ledger?limit=200").body().get("data")
        .forEach(row -> listed.add(row.get("event_id").asText()));
    List<String> expected = eventAt.entrySet().stream()
        .sorted(Map.Entry.<Long, String>comparingByKey().reversed())
        .map(Map.Entry::getValue).toList();
    assertThat(listed).isEqualTo(expected);

    // The index serves the order: no sort of the customer's rows, however many there are.
    String plan = db.planAtScale("SELECT * FROM ledger WHERE customer_id = '" + customer + "'"
        + " ORDER BY coalesce(finished_at, recorded_at) DESC, seq DESC LIMIT 50");
    assertThat(plan).contains("ledger_customer_used_at_idx").doesNotContain("Sort");
  }

  @Test
  @Order(7)
  void settlesTheCreditHoldOfARequestWhoseRouterDiedAfterPublishingItsUsage() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent orphan = event(customer, 1_500);
    UsageEvent settled = event(customer, 2_500);
    String keySpend = keys.keySpend(orphan.getKeyId());
    redis.set(keySpend, "0");
    holdAsADeadRouterLeftIt(customer, orphan);
    assertThat(redis.get(keys.balance(customer))).isEqualTo("700000");

    send(customer, orphan.toByteArray());
    send(customer, settled.toByteArray()); // its router settled it: no hold, nothing to change
    awaitLedgerRow(settled.getEventId());

    await().atMost(WAIT).until(() -> redis.hexists(keys.creditHolds(), orphan.getEventId()), held -> !held);
    assertThat(redis.get(keys.balance(customer))).isEqualTo("998500");
    assertThat(redis.get(keySpend)).isEqualTo("1500");
    assertThat(http.getWithoutToken("prometheus").raw())
        .contains("silkroute_billing_usage_holds_settled_total 1.0");
  }

  @Test
  @Order(8)
  void aHoldRedisCannotSettleNeverHoldsUpTheLedger() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent event = event(customer, 2_000);
    UsageEvent next = event(customer, 3_000);
    // Not a record the settlement script can read: Redis answers it with an error.
    redis.hset(keys.creditHolds(), event.getEventId(), "not a hold");

    send(customer, event.toByteArray());
    send(customer, next.toByteArray());

    awaitLedgerRow(event.getEventId());
    awaitLedgerRow(next.getEventId());
    assertThat(account(customer).get("spent_micros").asLong()).isEqualTo(5_000);
    assertThat(redis.hget(keys.creditHolds(), event.getEventId())).isEqualTo("not a hold");
    awaitHealth("UP");
  }

  @Test
  @Order(9)
  void settlesHoldsAfterRedisForgotItsScripts() throws Exception {
    String customer = createCustomer(1_000_000);
    UsageEvent orphan = event(customer, 1_500);
    holdAsADeadRouterLeftIt(customer, orphan);
    // As after a Redis restart: every script is unknown (routers and billing send them again).
    redis.scriptFlush();

    send(customer, orphan.toByteArray());
    awaitLedgerRow(orphan.getEventId());

    await().atMost(WAIT).until(() -> redis.hexists(keys.creditHolds(), orphan.getEventId()), held -> !held);
    assertThat(redis.get(keys.balance(customer))).isEqualTo("998500");
  }

  /** What a router's admission leaves for a request it never settled: 300,000 micro-USD reserved and held. */
  private void holdAsADeadRouterLeftIt(String customer, UsageEvent event) {
    String keySpend = keys.keySpend(event.getKeyId());
    redis.decrby(keys.balance(customer), 300_000);
    redis.incrby(keySpend, 300_000);
    redis.hset(keys.creditHolds(), event.getEventId(), CreditHolds.record(Instant.now().plusSeconds(900), 300_000,
        1000, keys.balance(customer), keySpend, null));
  }

  private JsonNode awaitHealth(String status) {
    return await().atMost(WAIT).until(() -> http.getWithoutToken("health").body(),
        body -> body != null && status.equals(body.get("status").asText()));
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = Infra.postgres().connect(properties.get("datasources.default.url"));
         Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private List<ConsumerRecord<byte[], byte[]>> awaitDeadLetters(int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer =
             new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition dlq = new TopicPartition(properties.get("silkroute.usage.dlq-topic"), 0);
      consumer.assign(List.of(dlq));
      consumer.seekToBeginning(List.of(dlq));
      List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
      await().atMost(WAIT).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= count;
      });
      assertThat(records).hasSize(count);
      return records;
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header " + name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

}
