package dev.silkroute.localkafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files of one broker inside its data directory: configuration it is started with, the log
 * directory it owns and the log files it writes.
 */
final class BrokerFiles {

  private final Path dataDir;

  BrokerFiles(Path dataDir) {
    this.dataDir = dataDir.toAbsolutePath();
  }

  Path dataDir() {
    return dataDir;
  }

  Path serverProperties() {
    return dataDir.resolve("server.properties");
  }

  Path log4jConfig() {
    return dataDir.resolve("log4j2.properties");
  }

  /** Kafka's log4j output: "Kafka Server started" appears here. */
  Path brokerLog() {
    return dataDir.resolve("broker.log");
  }

  /** The broker JVM's stdout and stderr: JVM crashes and errors before logging starts. */
  Path consoleLog() {
    return dataDir.resolve("broker.out");
  }

  Path kafkaLogDir() {
    return dataDir.resolve("kafka-logs");
  }

  /** StorageTool writes meta.properties on format; a directory that has it must not be formatted again. */
  boolean isFormatted() {
    return Files.exists(kafkaLogDir().resolve("meta.properties"));
  }

  void write(String host, int port, int controllerPort) {
    try {
      Files.createDirectories(dataDir);
      Files.writeString(serverProperties(), serverProperties(host, port, controllerPort), StandardCharsets.UTF_8);
      Files.writeString(log4jConfig(), log4jProperties(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the broker configuration into " + dataDir, e);
    }
  }

  private String serverProperties(String host, int port, int controllerPort) {
    return String.join("\n",
        "# Written by dev.silkroute.localkafka.LocalKafka: one KRaft node that is broker and controller.",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@" + host + ":" + controllerPort,
        "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
        "advertised.listeners=PLAINTEXT://" + host + ":" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + kafkaLogDir(),
        // One node: every internal topic must fit on it.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=3",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=3",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "min.insync.replicas=1",
        "default.replication.factor=1",
        // Tests join consumer groups constantly; the default 3 s delay would slow every one of them.
        "group.initial.rebalance.delay.ms=0",
        "num.partitions=1",
        "auto.create.topics.enable=true",
        "delete.topic.enable=true",
        // Fewer threads than the defaults: a dev/test broker on a small shared machine.
        "num.network.threads=2",
        "num.io.threads=4",
        "background.threads=4",
        "log.cleaner.threads=1",
        "log.segment.bytes=67108864",
        "")
        .replace("\\", "/");
  }

  private String log4jProperties() {
    // Kafka 3.9 logs through SLF4J, bound to Log4j 2 by log4j-slf4j2-impl; without a configuration
    // Log4j 2 prints only errors, and "Kafka Server started" would never be seen.
    return String.join("\n",
        "status = warn",
        // Kafka logs its own controlled shutdown from its shutdown hook; Log4j's hook must not stop first.
        "shutdownHook = disable",
        "appender.file.type = File",
        "appender.file.name = FILE",
        "appender.file.fileName = " + brokerLog().toString().replace("\\", "/"),
        "appender.file.layout.type = PatternLayout",
        "appender.file.layout.pattern = [%d] %p %m (%c)%n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.file.ref = FILE",
        "logger.state.name = state.change.logger",
        "logger.state.level = WARN",
        "logger.request.name = kafka.request.logger",
        "logger.request.level = WARN",
        "");
  }
}
