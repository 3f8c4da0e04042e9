package dev.silkroute.localkafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaTest {

  @TempDir
  Path dataDir;

  @Test
  void servesARealProduceConsumeRoundTripAndStopsOnClose() throws Exception {
    long startNanos = System.nanoTime();
    LocalKafka kafka = LocalKafka.start(dataDir, 0);
    long startMillis = (System.nanoTime() - startNanos) / 1_000_000;
    long pid = kafka.pid();
    try {
      System.err.printf("LocalKafka started in %d ms at %s (pid %d, RSS %s)%n",
          startMillis, kafka.bootstrapServers(), pid, residentSetSize(pid));
      assertTrue(Files.readString(kafka.logFile()).contains(LocalKafka.STARTED_MARKER));
      assertEquals(1, count(kafka, "local-kafka-test", "customer-1", "usage-1"));
    } finally {
      kafka.close();
    }
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "broker still running");
  }

  @Test
  void refusesAPortThatIsAlreadyInUse() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(LocalKafka.HOST))) {
      LocalKafkaException failure =
          assertThrows(LocalKafkaException.class, () -> LocalKafka.start(dataDir, taken.getLocalPort()));
      assertTrue(failure.getMessage().contains("Port " + taken.getLocalPort()), failure.getMessage());
    }
  }

  @Test
  void reportsTheBrokersErrorWhenItCannotStart() throws Exception {
    // A log directory formatted for another node: the broker refuses it at start-up.
    Path logDir = Files.createDirectories(dataDir.resolve("kafka-logs"));
    Files.writeString(logDir.resolve("meta.properties"),
        "version=1\nnode.id=7\ncluster.id=qUgMtPHDTQacHbtX23-xXQ\ndirectory.id=Xa2Qn3KbR0WqO8gTqfWw2g\n");
    LocalKafkaException failure =
        assertThrows(LocalKafkaException.class, () -> LocalKafka.start(dataDir, 0, Duration.ofSeconds(60)));
    assertTrue(failure.getMessage().contains("exited with code"), failure.getMessage());
    assertTrue(failure.getMessage().contains("Stored node id 7"), failure.getMessage());
  }

  /** Produces one record and counts how many records with that key and value come back. */
  private static long count(LocalKafka kafka, String topic, String key, String value) throws Exception {
    Map<String, Object> producerConfig = Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
    Map<String, Object> consumerConfig = Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "local-kafka-test",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
    }
    return received.stream().filter(r -> key.equals(r.key()) && value.equals(r.value())).count();
  }

  private static String residentSetSize(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(line -> line.startsWith("VmRSS:"))
          .map(line -> line.substring("VmRSS:".length()).strip())
          .findFirst().orElse("unknown");
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
