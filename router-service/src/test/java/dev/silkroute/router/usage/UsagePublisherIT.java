package dev.silkroute.router.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.localkafka.LocalKafka;
import dev.silkroute.proto.v1.UsageEvent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publisher's queue and thread against a real broker that goes away: request threads only ever
 * enqueue, admission closes when the queue is full, and every event published reaches Kafka or the
 * spool, and from the spool Kafka once it is back.
 */
class UsagePublisherIT {

  private static final String TOPIC = "silkroute.usage.v1";

  @TempDir
  Path dir;

  @Test
  void refusesRequestsWhileTheQueueIsFullAndLosesNoEvent() throws Exception {
    // No broker listens: the publisher thread waits max.block.ms for metadata on its first send.
    UsageSpool spool = new UsageSpool(dir.resolve("spool"), 1 << 20);
    UsagePublisher publisher = new UsagePublisher(UsageProducer.create("127.0.0.1:" + unusedPort(), "queue-test"),
        TOPIC, spool, List.of(), 5);
    publisher.publish(event("gen-0"));
    await().atMost(Duration.ofSeconds(5)).until(() -> publisher.queuedEvents() == 0); // taken, stuck in send

    for (int i = 1; i <= 4; i++) {
      publisher.publish(event("gen-" + i));
    }
    assertThat(publisher.acceptsRequests()).as("4 of 5 queued").isTrue();
    publisher.publish(event("gen-5"));
    assertThat(publisher.acceptsRequests()).as("the queue is full").isFalse();
    publisher.publish(event("gen-6")); // a request admitted earlier still has its event taken

    // Kafka does not answer: the publisher spools the queue and admission opens again.
    await().atMost(Duration.ofSeconds(10)).until(publisher::acceptsRequests);
    publisher.close();
    assertThat(spool.drain()).extracting(UsageEvent::getEventId)
        .containsExactlyInAnyOrder("gen-0", "gen-1", "gen-2", "gen-3", "gen-4", "gen-5", "gen-6");
  }

  @Test
  void aKilledBrokerNeverBlocksPublishAndItsEventsReachKafkaOnceItIsBack() throws Exception {
    LocalKafka kafka = LocalKafka.start(dir.resolve("kafka"), 0);
    int port = kafka.port();
    Path spoolFile = dir.resolve("router-usage.spool");
    try {
      createTopic(kafka.bootstrapServers());
      AtomicInteger delivered = new AtomicInteger();
      AtomicInteger spooled = new AtomicInteger();
      UsageObserver counting = new UsageObserver() {
        @Override
        public void delivered(long nanos) {
          delivered.incrementAndGet();
        }

        @Override
        public void spooled(UsageEvent event) {
          spooled.incrementAndGet();
        }
      };
      UsagePublisher publisher = new UsagePublisher(UsageProducer.create(kafka.bootstrapServers(), "kill-test"),
          TOPIC, new UsageSpool(spoolFile, 64L << 20), List.of(counting));
      for (int i = 0; i < 20; i++) {
        publisher.publish(event("before-" + i));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> delivered.get() == 20);

      kafka.close();
      long slowest = 0;
      for (int i = 0; i < 500; i++) {
        long start = System.nanoTime();
        publisher.publish(event("during-" + i));
        slowest = Math.max(slowest, System.nanoTime() - start);
      }
      assertThat(Duration.ofNanos(slowest)).as("the slowest publish() with the broker dead")
          .isLessThan(Duration.ofMillis(50));
      assertThat(publisher.acceptsRequests()).isTrue();

      publisher.close(); // what Kafka did not take goes to the spool
      assertThat(delivered.get() + spooled.get()).as("delivered or spooled").isGreaterThanOrEqualTo(520);
      assertThat(spoolFile).exists();

      kafka = LocalKafka.start(dir.resolve("kafka"), port);
      try (UsagePublisher restarted = new UsagePublisher(UsageProducer.create(kafka.bootstrapServers(), "kill-test-2"),
          TOPIC, new UsageSpool(spoolFile, 64L << 20))) {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 20; i++) {
          expected.add("before-" + i);
        }
        for (int i = 0; i < 500; i++) {
          expected.add("during-" + i);
        }
        assertThat(consumeUntil(kafka.bootstrapServers(), expected)).containsAll(expected);
        await().atMost(Duration.ofSeconds(10)).until(() -> restarted.spoolBytes() == 0);
      }
    } finally {
      kafka.close();
    }
  }

  private static Set<String> consumeUntil(String bootstrapServers, Set<String> expected) {
    Set<String> seen = new HashSet<>();
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ConsumerConfig.GROUP_ID_CONFIG, "usage-publisher-it",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!seen.containsAll(expected) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          try {
            seen.add(UsageEvent.parseFrom(record.value()).getEventId());
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("not a usage event on " + TOPIC, e);
          }
        }
      }
    }
    return seen;
  }

  private static void createTopic(String bootstrapServers) throws Exception {
    try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static UsageEvent event(String id) {
    return UsageEvent.newBuilder().setEventId(id).setCustomerId("cus_1").setPriceMicros(42).build();
  }
}
