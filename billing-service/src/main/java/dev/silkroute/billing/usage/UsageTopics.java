package dev.silkroute.billing.usage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the usage and DLQ topics when they are missing, so a fresh cluster just works, and grows
 * the usage topic's partitions to the configured count.
 */
final class UsageTopics {

  private static final Logger LOG = LoggerFactory.getLogger(UsageTopics.class);
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
    if (existing.contains(config.topic())) {
      growPartitions();
    }
  }

  /**
   * A usage topic with fewer partitions than configured gets more, so that more billing instances can
   * share it (a consumer group has at most one member per partition). Partitions are never removed.
   * The customers whose key now hashes to a new partition have their later events there: billing
   * writes each event by its id and sums, so the order across that one move does not change a total.
   */
  private void growPartitions() throws InterruptedException {
    try {
      int now = admin.describeTopics(List.of(config.topic())).allTopicNames().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .get(config.topic()).partitions().size();
      if (now < config.partitions()) {
        admin.createPartitions(Map.of(config.topic(), NewPartitions.increaseTo(config.partitions())))
            .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        LOG.info("usage topic {} grown from {} to {} partitions", config.topic(), now, config.partitions());
      }
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof InvalidPartitionsException)) { // another instance grew it first
        throw new TopicsUnavailableException(bootstrapServers, e);
      }
    } catch (TimeoutException e) {
      throw new TopicsUnavailableException(bootstrapServers, e);
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
