package dev.silkroute.testkit;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** A real Kafka cluster for tests; get the shared one from {@link Infra#kafka()}. */
public final class KafkaInstance {

  private final String bootstrapServers;
  private final String description;

  KafkaInstance(String bootstrapServers, String description) {
    this.bootstrapServers = bootstrapServers;
    this.description = description;
  }

  /** For {@code bootstrap.servers}, e.g. {@code 127.0.0.1:41234}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Where this broker came from: env, testcontainers or a local broker (with its pid and port). */
  public String description() {
    return description;
  }

  /**
   * Creates {@code name} with {@code partitions} partitions and the broker's default replication
   * factor, and returns the name. An existing topic of that name is left as it is.
   */
  public String createTopic(String name, int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
      admin.createTopics(List.of(new NewTopic(name, Optional.of(partitions), Optional.empty())))
          .all().get(30, TimeUnit.SECONDS);
      return name;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return name;
      }
      throw new IllegalStateException("Cannot create topic " + name + " on " + description, e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Creating topic " + name + " on " + description + " took over 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    }
  }

  @Override
  public String toString() {
    return description;
  }
}
