package dev.silkroute.billing.usage;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;

/** /health: DOWN when the consumer thread died or the ledger keeps refusing batches. */
@Singleton
@Requires(beans = UsageConsumerLauncher.class)
final class UsageConsumerHealthIndicator implements HealthIndicator {

  private final UsageConsumerLauncher launcher;

  UsageConsumerHealthIndicator(UsageConsumerLauncher launcher) {
    this.launcher = launcher;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    ConsumerHealth health = launcher.health();
    return Publishers.just(HealthResult.builder("usage-consumer",
            health.healthy() ? HealthStatus.UP : HealthStatus.DOWN)
        .details(health.details()).build());
  }
}
