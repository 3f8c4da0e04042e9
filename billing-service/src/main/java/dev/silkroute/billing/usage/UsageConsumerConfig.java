package dev.silkroute.billing.usage;

import dev.silkroute.billing.InvalidSettingException;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/**
 * How billing consumes {@code silkroute.usage.v1} ({@code silkroute.usage.*}, env {@code SILKROUTE_USAGE_*}),
 * checked at start-up; a bad value stops it, naming the property and the value.
 *
 * @param enabled false only for running the admin API without Kafka
 * @param writers batches written to PostgreSQL at once, each in its own transaction, while the
 *     poll thread fetches and decodes the next one. Exact with any number: offsets are committed
 *     in poll order after the transactions commit. Consecutive batches may then interleave their
 *     ledger {@code seq}, which nothing reads as an order ("newest first" is by usage time)
 * @param unhealthyAfterFailures consecutive failed batches after which /health says DOWN
 */
@Context // bound at start-up: a bad value stops it
@ConfigurationProperties("silkroute.usage")
public record UsageConsumerConfig(
    @Bindable(defaultValue = "true") boolean enabled,
    @NotBlank(message = "silkroute.usage.topic must not be blank")
    @Bindable(defaultValue = "silkroute.usage.v1") String topic,
    @NotBlank(message = "silkroute.usage.dlq-topic must not be blank")
    @Bindable(defaultValue = "silkroute.usage.dlq.v1") String dlqTopic,
    @NotBlank(message = "silkroute.usage.group-id must not be blank")
    @Bindable(defaultValue = "silkroute-billing") String groupId,
    @Min(value = 1, message = PARTITIONS) @Max(value = 1000, message = PARTITIONS)
    @Bindable(defaultValue = "3") int partitions,
    @Min(value = 1, message = REPLICATION) @Max(value = 7, message = REPLICATION)
    @Bindable(defaultValue = "1") short replicationFactor,
    @Min(value = 1, message = POLL_RECORDS) @Max(value = 100_000, message = POLL_RECORDS)
    @Bindable(defaultValue = "60000") int maxPollRecords,
    @Min(value = 1, message = WRITERS) @Max(value = 8, message = WRITERS)
    @Bindable(defaultValue = "2") int writers,
    @Bindable(defaultValue = "500ms") Duration pollTimeout,
    @Bindable(defaultValue = "500ms") Duration retryBackoff,
    @Bindable(defaultValue = "15s") Duration maxRetryBackoff,
    @Min(value = 1, message = FAILURES) @Max(value = 1000, message = FAILURES)
    @Bindable(defaultValue = "3") int unhealthyAfterFailures) {

  public static final String DEFAULT_TOPIC = "silkroute.usage.v1";
  public static final String DEFAULT_DLQ_TOPIC = "silkroute.usage.dlq.v1";
  public static final String DEFAULT_GROUP_ID = "silkroute-billing";
  private static final String PARTITIONS = "Invalid configuration silkroute.usage.partitions={validatedValue}: must be between 1 and 1000";
  private static final String REPLICATION = "Invalid configuration silkroute.usage.replication-factor={validatedValue}: must be between 1 and 7";
  private static final String POLL_RECORDS = "Invalid configuration silkroute.usage.max-poll-records={validatedValue}: must be between 1 and 100000";
  private static final String WRITERS = "Invalid configuration silkroute.usage.writers={validatedValue}: must be between 1 and 8";
  private static final String FAILURES = "Invalid configuration silkroute.usage.unhealthy-after-failures={validatedValue}: must be between 1 and 1000";

  public UsageConsumerConfig {
    within("silkroute.usage.poll-timeout", pollTimeout, Duration.ofMinutes(1));
    within("silkroute.usage.retry-backoff", retryBackoff, Duration.ofMinutes(1));
    within("silkroute.usage.max-retry-backoff", maxRetryBackoff, Duration.ofMinutes(5));
    if (topic.equals(dlqTopic)) {
      throw new InvalidSettingException("silkroute.usage.dlq-topic", dlqTopic,
          "must differ from silkroute.usage.topic");
    }
    if (retryBackoff.compareTo(maxRetryBackoff) > 0) {
      throw new InvalidSettingException("silkroute.usage.retry-backoff", retryBackoff.toString(),
          "must not exceed silkroute.usage.max-retry-backoff (" + maxRetryBackoff + ")");
    }
  }

  private static void within(String property, Duration value, Duration max) {
    Duration min = Duration.ofMillis(10);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new InvalidSettingException(property, value.toString(), "must be between " + min + " and " + max);
    }
  }
}
