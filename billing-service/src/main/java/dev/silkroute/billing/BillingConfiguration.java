package dev.silkroute.billing;

import dev.silkroute.billing.account.RedisConfig;
import dev.silkroute.billing.admin.AdminConfig;
import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.usage.UsageConsumerConfig;
import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.env.Environment;
import java.time.Clock;
import java.time.Duration;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * The one place where Micronaut properties become immutable config records. The records are
 * {@link Context} beans so that a bad value stops start-up, naming the property.
 */
@Factory
final class BillingConfiguration {

  private final Settings settings;

  BillingConfiguration(Environment environment) {
    this.settings = new Settings(name -> environment.getProperty(name, String.class));
  }

  @Context
  UsageConsumerConfig usageConsumerConfig() {
    return new UsageConsumerConfig(
        settings.flag("silkroute.usage.enabled", true),
        settings.text("silkroute.kafka.bootstrap-servers", "localhost:9092"),
        settings.text("silkroute.usage.topic", UsageConsumerConfig.DEFAULT_TOPIC),
        settings.text("silkroute.usage.dlq-topic", UsageConsumerConfig.DEFAULT_DLQ_TOPIC),
        settings.text("silkroute.usage.group-id", UsageConsumerConfig.DEFAULT_GROUP_ID),
        settings.integer("silkroute.usage.partitions", 3, 1, 1000),
        (short) settings.integer("silkroute.usage.replication-factor", 1, 1, 7),
        settings.integer("silkroute.usage.max-poll-records", 60_000, 1, 100_000),
        settings.integer("silkroute.usage.writers", 2, 1, 8),
        settings.duration("silkroute.usage.poll-timeout", Duration.ofMillis(500),
            Duration.ofMillis(10), Duration.ofMinutes(1)),
        settings.duration("silkroute.usage.retry-backoff", Duration.ofMillis(500),
            Duration.ofMillis(10), Duration.ofMinutes(1)),
        settings.duration("silkroute.usage.max-retry-backoff", Duration.ofSeconds(15),
            Duration.ofMillis(10), Duration.ofMinutes(5)),
        settings.integer("silkroute.usage.unhealthy-after-failures", 3, 1, 1000));
  }

  @Context
  RedisConfig redisConfig() {
    return new RedisConfig(
        settings.text("silkroute.redis.uri", "redis://127.0.0.1:6379"),
        settings.text("silkroute.redis.key-prefix", RedisKeys.DEFAULT_PREFIX));
  }

  @Context
  AdminConfig adminConfig() {
    return new AdminConfig(settings.text("silkroute.admin-token", "dev-admin-token"));
  }

  @Singleton
  Ledger ledger(DataSource dataSource, Clock clock) {
    return new Ledger(dataSource, clock);
  }

  /** Ticks in microseconds, PostgreSQL's timestamptz precision, so what we answer is what we stored. */
  @Singleton
  Clock clock() {
    return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
  }
}
