package dev.silkroute.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class InfraTest {

  @Test
  void kafkaCarriesAKeyedRecordFromProducerToConsumer() throws Exception {
    KafkaInstance kafka = Infra.kafka();
    assertSame(kafka, Infra.kafka());
    String topic = kafka.createTopic(Infra.uniqueName("infra-test"), 2);

    RecordMetadata sent;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
      sent = producer.send(new ProducerRecord<>(topic, "cus_1", "event-1")).get(30, TimeUnit.SECONDS);
    }

    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("infra-test-group"),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        return !received.isEmpty();
      });
    }
    assertEquals(1, received.size());
    assertEquals("cus_1", received.get(0).key());
    assertEquals("event-1", received.get(0).value());
    assertEquals(sent.partition(), received.get(0).partition());
  }

  @Test
  void redisStoresAndReturnsAValue() {
    RedisInstance redis = Infra.redis();
    assertSame(redis, Infra.redis());
    String key = Infra.uniqueName("silkroute:test:");
    RedisClient client = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set(key, "value-1", io.lettuce.core.SetArgs.Builder.ex(60));
      assertEquals("value-1", connection.sync().get(key));
      assertEquals(1L, connection.sync().del(key));
    } finally {
      client.shutdown();
    }
  }

  @Test
  void postgresGivesEachCallerAFreshWritableDatabase() throws Exception {
    PostgresInstance postgres = Infra.postgres();
    String first = postgres.newDatabase("Infra-Test");
    String second = postgres.newDatabase("Infra-Test");
    assertNotEquals(first, second);
    assertTrue(first.contains("/infra_test_"), first);

    try (Connection connection = postgres.connect(first); Statement statement = connection.createStatement()) {
      try (ResultSet tables = statement.executeQuery(
          "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
        tables.next();
        assertEquals(0, tables.getInt(1), "a new database is empty");
      }
      statement.execute("CREATE TABLE ledger (event_id text PRIMARY KEY, micro_usd bigint NOT NULL)");
      statement.execute("INSERT INTO ledger VALUES ('gen-1', 1500000), ('gen-2', 250)");
      try (ResultSet sum = statement.executeQuery("SELECT sum(micro_usd) FROM ledger")) {
        sum.next();
        assertEquals(1_500_250L, sum.getLong(1));
      }
    }
    try (Connection connection = postgres.connect(second); Statement statement = connection.createStatement();
        ResultSet tables = statement.executeQuery("SELECT to_regclass('public.ledger') IS NULL")) {
      tables.next();
      assertTrue(tables.getBoolean(1), "databases are isolated from each other");
    }
  }

  @Test
  void uniqueNamesDifferAndKeepThePrefix() {
    String a = Infra.uniqueName("usage");
    String b = Infra.uniqueName("usage");
    assertNotEquals(a, b);
    assertTrue(a.matches("usage-[0-9a-f]{12}"), a);
    assertTrue(Infra.uniqueName("silkroute:apikey:").matches("silkroute:apikey:[0-9a-f]{12}"));
  }

  @Test
  void newDatabaseUrlKeepsHostAndParameters() {
    assertEquals("jdbc:postgresql://127.0.0.1:5432/x?sslmode=disable",
        PostgresInstance.withDatabase("jdbc:postgresql://127.0.0.1:5432/test?sslmode=disable", "x"));
    assertEquals("jdbc:postgresql://h1:1,h2:2/x", PostgresInstance.withDatabase("jdbc:postgresql://h1:1,h2:2", "x"));
    assertTrue(PostgresInstance.databaseName("9 Lives!").matches("db_9_lives__[0-9a-f]{12}"));
    assertFalse(PostgresInstance.databaseName("a".repeat(100)).length() > 63);
  }
}
