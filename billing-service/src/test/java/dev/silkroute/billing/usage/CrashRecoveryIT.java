package dev.silkroute.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.billing.AggregateChecks;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.testkit.Infra;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Exactly once across a crash: the billing jar runs as a real process, is killed with SIGKILL
 * while events stream in, and is started again; every event must be in the ledger once and every
 * aggregate must equal the ledger (a batch counted twice or half-written would show).
 */
class CrashRecoveryIT {

  private static final int EVENTS = 3000;
  private static final Path JAR = Path.of("target", "silkroute-billing-service-0.1.0-SNAPSHOT-all.jar");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Map<String, String> properties = BillingTestProperties.isolated("crash");

  @Test
  void recordsEveryEventOnceAfterAKillNineMidStream() throws Exception {
    assertThat(JAR).as("the shaded jar (built by package, before failsafe)").isRegularFile();
    properties.put("silkroute.usage.max-poll-records", "25");
    LedgerRows db = new LedgerRows(properties.get("datasources.default.url"));
    List<UsageEvent> events = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      events.add(event(i));
    }
    AtomicInteger sent = new AtomicInteger();
    Process first = start("first");
    try (KafkaProducer<String, byte[]> producer = producer()) {
      Thread streaming = new Thread(() -> {
        for (UsageEvent e : events) {
          producer.send(new ProducerRecord<>(properties.get("silkroute.usage.topic"),
              e.getCustomerId(), e.toByteArray()));
          if (sent.incrementAndGet() % 50 == 0) {
            producer.flush();
            pause(25);
          }
        }
        producer.flush();
      }, "crash-it-producer");
      streaming.start();

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
          .until(() -> db.number("SELECT count(*) FROM ledger") >= EVENTS / 4);
      first.destroyForcibly().waitFor();
      long atKill = db.number("SELECT count(*) FROM ledger");
      assertThat(atKill).as("killed mid-stream").isLessThan(EVENTS);

      Process second = start("second");
      try {
        streaming.join(60_000);
        assertThat(sent.get()).isEqualTo(EVENTS);
        await().atMost(Duration.ofSeconds(60))
            .until(() -> db.number("SELECT count(*) FROM ledger") >= EVENTS);
      } finally {
        second.destroy();
        second.waitFor();
      }
    } finally {
      first.destroyForcibly().waitFor();
    }

    Set<String> expected = new HashSet<>();
    events.forEach(e -> expected.add(e.getEventId()));
    Set<String> recorded = new HashSet<>();
    db.rows("SELECT event_id FROM ledger").forEach(row -> recorded.add(row.get(0)));
    assertThat(db.number("SELECT count(*) FROM ledger")).isEqualTo(EVENTS);
    assertThat(recorded).isEqualTo(expected);
    assertThat(db.number("SELECT sum(price_micros) FROM ledger"))
        .isEqualTo(events.stream().mapToLong(UsageEvent::getPriceMicros).sum());
    AggregateChecks.assertAggregatesMatchLedger(db);
  }

  private UsageEvent event(int i) {
    return UsageEvent.newBuilder()
        .setEventId("gen-" + UUID.randomUUID().toString().replace("-", ""))
        .setCustomerId("cus_00000000000000000000000" + (i % 7))
        .setKeyId("key_00000000000000000000000" + (i % 5))
        .setModel("model-" + (i % 4)).setModelAuthor("author-" + (i % 2)).setProvider("p" + (i % 3))
        .setPromptTokens(10 + i).setCompletionTokens(i % 13).setPriceMicros(100 + i)
        .setProviderCostMicros(50).setStatus(UsageStatus.USAGE_STATUS_OK).setAttempts(1)
        .build();
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private Process start(String name) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        JAR.toAbsolutePath().toString()));
    properties.forEach((k, v) -> command.add("-" + k + "=" + v));
    command.add("-micronaut.server.port=" + port);
    Path log = Path.of("target", "crash-it", name + ".log");
    Files.createDirectories(log.getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    URI health = URI.create("http://127.0.0.1:" + port + "/health");
    try {
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
        assertThat(process.isAlive()).as("billing exited, see " + log).isTrue();
        try {
          HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(health)
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          return r.statusCode() == 200 && r.body().contains("usage-consumer");
        } catch (IOException notYet) {
          return false;
        }
      });
    } catch (RuntimeException | Error e) {
      process.destroyForcibly();
      throw e;
    }
    return process;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis); // paces the stream so that the kill lands in the middle of it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
