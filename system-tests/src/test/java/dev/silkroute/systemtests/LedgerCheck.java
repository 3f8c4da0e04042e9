package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.testkit.Infra;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One customer's money truth, read where it lives: the ledger rows in PostgreSQL, the usage events
 * on the Kafka topic, the statement billing renders, and what the clients were told.
 */
final class LedgerCheck {

  /** The figures each replica scenario prints. */
  record Figures(String scenario, int requests, long answered, long events, long ledgerRows, long lost,
                 long doubled, long overdraw, long billedUnanswered) {
    void print() {
      System.err.printf("[replicas] %s: requests %d, answered 200 with a cost %d, events %d, ledger rows %d,"
              + " lost %d, doubled %d, overdraw %d, ledger rows without a paid answer (refused at 0, cut off) %d%n", scenario, requests, answered,
          events, ledgerRows, lost, doubled, overdraw, billedUnanswered);
    }
  }

  private final ReplicaStack stack;

  LedgerCheck(ReplicaStack stack) {
    this.stack = stack;
  }

  /** Ledger rows of a customer: event id to price in micro-USD. */
  Map<String, Long> ledger(String customer) throws Exception {
    Map<String, Long> rows = new HashMap<>();
    try (Connection db = Infra.postgres().connect(stack.database);
         PreparedStatement query = db.prepareStatement("SELECT event_id, price_micros FROM ledger WHERE customer_id = ?")) {
      query.setString(1, customer);
      try (ResultSet result = query.executeQuery()) {
        while (result.next()) {
          rows.put(result.getString(1), result.getLong(2));
        }
      }
    }
    return rows;
  }

  /** Waits until the ledger holds at least every answered event, then returns it. */
  Map<String, Long> awaitLedger(String customer, Collection<ReplicaStack.Answer> answered) {
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(ledger(customer).keySet()).containsAll(answered.stream().map(ReplicaStack.Answer::id).toList()));
    try {
      return ledger(customer);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Usage events on the topic for a customer (the record key), duplicates from replays included. */
  long events(String customer) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, "ledger-check-" + UUID.randomUUID());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(stack.topic).stream()
          .map((PartitionInfo p) -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long count = 0;
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          if (customer.equals(record.key())) {
            count++;
          }
        }
      }
      return count;
    }
  }

  /**
   * Checks that every answer a client received is in the ledger once at the price the client was
   * told, that billing's aggregates and statement equal the ledger, and returns the figures.
   */
  Figures verify(String scenario, String customer, int requests, List<ReplicaStack.Answer> answers) throws Exception {
    List<ReplicaStack.Answer> answered = answers.stream().filter(ReplicaStack.Answer::paid).toList();
    Map<String, Long> ledger = awaitLedger(customer, answered);
    long lost = answered.stream().filter(a -> !ledger.containsKey(a.id())).count();
    long mispriced = answered.stream().filter(a -> ledger.containsKey(a.id()) && ledger.get(a.id()) != a.costMicros())
        .count();
    long answeredIds = answered.stream().map(ReplicaStack.Answer::id).distinct().count();
    BillingAdmin admin = stack.admin();
    JsonNode totals = admin.call("GET", "/admin/customers/" + customer, null);
    long ledgerSum = ledger.values().stream().mapToLong(Long::longValue).sum();
    // Billing's running aggregates count each event once: more means an event was added up twice.
    long doubled = Math.max(0, totals.get("requests").asLong() - ledger.size())
        + (answered.size() - answeredIds);
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonNode statement = admin.call("GET", "/admin/customers/" + customer + "/statement?from=" + today
        + "&to=" + today + "&format=json", null);
    assertThat(statement.at("/totals/requests").asLong()).as("statement requests = ledger rows").isEqualTo(ledger.size());
    assertThat(statement.at("/totals/amount_micros").asLong()).as("statement amount = ledger sum").isEqualTo(ledgerSum);
    assertThat(totals.get("spent_micros").asLong()).as("customer spend = ledger sum").isEqualTo(ledgerSum);
    assertThat(mispriced).as("ledger prices differing from the cost a client was told").isZero();
    Figures figures = new Figures(scenario, requests, answered.size(), events(customer), ledger.size(), lost, doubled, 0,
        ledger.size() - answered.size());
    figures.print();
    assertThat(lost).as("answered requests missing from the ledger").isZero();
    assertThat(doubled).as("events counted twice").isZero();
    return figures;
  }
}
