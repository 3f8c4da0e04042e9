package dev.silkroute.billing.bench;

import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.testkit.Infra;
import io.micronaut.context.ApplicationContext;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Ingest rate of one billing instance: N usage events are put on a fresh topic first, then a
 * billing application context consumes them into a fresh database; the rate is measured from the
 * first ledger row to the last, so start-up is not counted. Not a test (run by hand, see
 * docs/benchmarks/billing.md). Arguments: events (default 300000), max-poll-records (5000),
 * partitions (3), writers (the service default).
 *
 * <p>Progress is read from {@code customer_balances} (500 rows, written in the same transaction
 * as the ledger rows it counts) rather than {@code count(*)} over the growing ledger, which every
 * 50 ms would cost PostgreSQL a good share of the CPU being measured; the ledger is counted once
 * at the end to check that every event is there exactly once.
 */
public final class IngestBenchmark {

  private IngestBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 300_000;
    String maxPoll = args.length > 1 ? args[1] : "5000";
    int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    String writers = args.length > 3 ? args[3] : null;
    Map<String, String> props = new HashMap<>(BillingTestProperties.isolated("ingestbench"));
    props.put("silkroute.usage.max-poll-records", maxPoll);
    props.put("silkroute.usage.partitions", String.valueOf(partitions));
    if (writers != null) {
      props.put("silkroute.usage.writers", writers);
    }
    String topic = props.get("silkroute.usage.topic");
    Infra.kafka().createTopic(topic, partitions);
    produce(topic, events);
    System.out.printf("produced %d events to %s (%d partitions)%n", events, topic, partitions);

    LedgerRows db = new LedgerRows(props.get("datasources.default.url"));
    Map<String, Object> contextProps = new HashMap<>(props);
    try (ApplicationContext context = ApplicationContext.run(contextProps)) {
      long firstAt = 0;
      long firstCount = 0;
      long count = 0;
      while (count < events) {
        Thread.sleep(50);
        count = db.number("SELECT coalesce(sum(requests), 0) FROM customer_balances");
        if (firstAt == 0 && count > 0) {
          firstAt = System.nanoTime();
          firstCount = count;
        }
      }
      double seconds = (System.nanoTime() - firstAt) / 1e9;
      long rows = db.number("SELECT count(DISTINCT event_id) FROM ledger");
      if (rows != events || count != events) {
        throw new IllegalStateException("ledger has " + rows + " events, aggregates count " + count
            + ", expected " + events);
      }
      System.out.printf("RESULT ingest: %d events in %.2f s after the first batch = %.0f events/s"
          + " (max-poll-records %s, partitions %d, writers %s)%n", count - firstCount, seconds,
          (count - firstCount) / seconds, maxPoll, partitions,
          writers == null ? "default" : writers);
    }
  }

  private static void produce(String topic, int events) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    Random random = new Random(42);
    long now = Instant.now().getEpochSecond();
    try (KafkaProducer<String, byte[]> producer =
             new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < events; i++) {
        String customer = String.format("cus_%024x", random.nextInt(500));
        int model = random.nextInt(40);
        UsageEvent e = UsageEvent.newBuilder()
            .setEventId(String.format("gen-%032x", (long) i * 2_654_435_761L))
            .setCustomerId(customer)
            .setKeyId(String.format("key_%024x", random.nextInt(2000)))
            .setModel("author-" + model % 12 + "/model-" + model)
            .setModelAuthor("author-" + model % 12)
            .setProvider("provider-" + random.nextInt(12))
            .setEndpoint("endpoint-" + model)
            .setPromptTokens(200 + random.nextInt(4000)).setCompletionTokens(random.nextInt(1000))
            .setPriceMicros(random.nextInt(20_000)).setProviderCostMicros(random.nextInt(10_000))
            .setLatencyMs(random.nextInt(5000)).setStatus(UsageStatus.USAGE_STATUS_OK)
            .setFinishReason("stop").setAttempts(1).setStreamed(true)
            .setFinishedAt(com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(now - random.nextInt(86_400)))
            .setRouterInstance("router-bench")
            .build();
        producer.send(new ProducerRecord<>(topic, customer, e.toByteArray()));
      }
      producer.flush();
    }
  }
}
