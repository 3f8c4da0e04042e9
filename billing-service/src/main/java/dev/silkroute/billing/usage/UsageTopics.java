package dev.silkroute.billing.usage;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the usage and DLQ topics when they are missing, so a fresh cluster just works. */
final class UsageTopics {

  private static final long TIMEOUT_SECONDS = 10;

  private final Admin admin;
  private final UsageConsumerConfig config;
  private final String bootstrapServers;

  UsageTopics(Admin admin, UsageConsumerConfig config, String bootstrapServers) {
    this.admin = admin;
    this.config = config;
    this.bootstrapServers = bootstrapServers;
  }

  /**
   * @throws TopicsUnavailableException when Kafka did not answer or refused; callers retry
   */
  void ensureExist() throws InterruptedException {
    List<NewTopic> topics = List.of(
        new NewTopic(config.topic(), config.partitions(), config.replicationFactor()),
        new NewTopic(config.dlqTopic(), 1, config.replicationFactor()));
    Set<String> existing;
    try {
      existing = admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new TopicsUnavailableException(bootstrapServers, e);
    }
    for (NewTopic topic : topics) {
      if (existing.contains(topic.name())) {
        continue;
      }
      KafkaFuture<Void> created = admin.createTopics(List.of(topic)).all();
      try {
        created.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        // Another billing instance (or the router) created it first.
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new TopicsUnavailableException(bootstrapServers, e);
        }
      } catch (TimeoutException e) {
        throw new TopicsUnavailableException(bootstrapServers, e);
      }
    }
  }

  /** Fails a pending topic call at once, so that shutdown does not wait for its timeout. */
  void abort() {
    admin.close(Duration.ZERO);
  }

  static final class TopicsUnavailableException extends RuntimeException {
    TopicsUnavailableException(String bootstrapServers, Exception cause) {
      super("could not list or create usage topics on Kafka at " + bootstrapServers + ": "
          + (cause instanceof TimeoutException ? "no answer within " + TIMEOUT_SECONDS + " s" : cause),
          cause);
    }
  }
}
