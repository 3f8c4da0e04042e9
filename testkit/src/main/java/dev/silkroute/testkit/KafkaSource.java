package dev.silkroute.testkit;

import dev.silkroute.localkafka.LocalKafka;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.kafka.KafkaContainer;

/** Resolves the Kafka for this JVM: env, then Testcontainers, then a local broker from Maven jars. */
final class KafkaSource {

  /** The broker version of the parent pom's kafka.version, so every path tests the same Kafka. */
  private static final String IMAGE = "apache/kafka:3.9.1";

  private KafkaSource() {}

  static KafkaInstance resolve() {
    var fromEnv = Settings.get(Settings.KAFKA_BOOTSTRAP);
    if (fromEnv.isPresent()) {
      return new KafkaInstance(fromEnv.get(), "env " + Settings.KAFKA_BOOTSTRAP + "=" + fromEnv.get());
    }
    if (Docker.available()) {
      KafkaContainer container = new KafkaContainer(IMAGE);
      container.start(); // Testcontainers' Ryuk removes it when the JVM exits
      return new KafkaInstance(container.getBootstrapServers(),
          "Kafka testcontainers " + IMAGE + " at " + container.getBootstrapServers());
    }
    return startLocal();
  }

  private static KafkaInstance startLocal() {
    Path dataDir;
    try {
      dataDir = Files.createTempDirectory("silkroute-kafka-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a data directory for the local Kafka broker", e);
    }
    long started = System.nanoTime();
    LocalKafka broker = LocalKafka.start(dataDir, 0);
    long millis = (System.nanoTime() - started) / 1_000_000;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      broker.close();
      Binaries.deleteRecursively(dataDir);
    }, "silkroute-testkit-kafka-stop"));
    return new KafkaInstance(broker.bootstrapServers(), "Kafka local broker from Maven jars at "
        + broker.bootstrapServers() + " (pid " + broker.pid() + ", started in " + millis + " ms, log "
        + broker.logFile() + ")");
  }
}
