package dev.silkroute.billing;

import dev.silkroute.billing.ledger.Ledger;
import io.micronaut.context.annotation.Factory;
import java.time.Clock;
import java.time.Duration;
import jakarta.inject.Singleton;
import javax.sql.DataSource;

/**
 * Billing's beans outside a feature. Its settings are {@code @ConfigurationProperties} records beside
 * the code that reads them ({@code UsageConsumerConfig}, {@code KafkaConfig}, {@code RedisConfig},
 * {@code AdminConfig}), {@code @Context} beans, so that a bad value stops start-up, naming the property,
 * instead of failing at first use.
 */
@Factory
final class BillingConfiguration {

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
