package dev.silkroute.billing.usage;

import dev.silkroute.billing.Settings.InvalidSettingException;
import java.time.Duration;

/**
 * How billing consumes {@code silkroute.usage.v1}. Built and range-checked by
 * {@code BillingConfiguration}; the checks here are the ones that span several properties.
 *
 * @param enabled false only for running the admin API without Kafka
 * @param writers batches written to PostgreSQL at once, each in its own transaction, while the
 *     poll thread fetches and decodes the next one. Exact with any number: offsets are committed
 *     in poll order after the transactions commit. Consecutive batches may then interleave their
 *     ledger {@code seq}, which nothing reads as an order ("newest first" is by usage time)
 * @param unhealthyAfterFailures consecutive failed batches after which /health says DOWN
 */
public record UsageConsumerConfig(
    boolean enabled,
    String bootstrapServers,
    String topic,
    String dlqTopic,
    String groupId,
    int partitions,
    short replicationFactor,
    int maxPollRecords,
    int writers,
    Duration pollTimeout,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    int unhealthyAfterFailures) {

  public static final String DEFAULT_TOPIC = "silkroute.usage.v1";
  public static final String DEFAULT_DLQ_TOPIC = "silkroute.usage.dlq.v1";
  public static final String DEFAULT_GROUP_ID = "silkroute-billing";

  public UsageConsumerConfig {
    if (topic.equals(dlqTopic)) {
      throw new InvalidSettingException("silkroute.usage.dlq-topic", dlqTopic,
          "must differ from silkroute.usage.topic");
    }
    if (retryBackoff.compareTo(maxRetryBackoff) > 0) {
      throw new InvalidSettingException("silkroute.usage.retry-backoff", retryBackoff.toString(),
          "must not exceed silkroute.usage.max-retry-backoff (" + maxRetryBackoff + ")");
    }
  }
}
