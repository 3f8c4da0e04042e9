package dev.silkroute.router.metrics;

import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.TrafficStats;
import dev.silkroute.router.usage.UsageObserver;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.workers.WorkerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.BeanProvider;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Wires router metrics: the usage observer, the gauges over routing's live state, and the provider
 * health report. The gauges read the {@link UsagePublisher}, which itself takes every
 * {@link UsageObserver}; they are therefore a separate bean, created by {@link GaugesAtStartup}.
 */
@Factory
final class MetricsBeans {

  private static final Duration GAUGE_REFRESH = Duration.ofSeconds(5);

  @Singleton
  UsageObserver routerMetrics(MeterRegistry registry) {
    return new RouterMetrics(registry);
  }

  @Singleton
  @Bean(preDestroy = "close")
  RouterGauges routerGauges(MeterRegistry registry, UsagePublisher publisher, EndpointBoard board) {
    return new RouterGauges(registry, publisher::spoolBytes, board::circuits, board::lateCount, board::promptPrices,
        GAUGE_REFRESH);
  }

  @Singleton
  ProviderHealth providerHealth(EndpointBoard board, TrafficStats stats, BeanProvider<WorkerRegistry> workers,
                                MeterRegistry registry) {
    Supplier<List<WorkerStatus>> statuses = () -> workers.isPresent() ? workers.get().statuses() : List.of();
    return new ProviderHealth(board::circuits, stats::all, statuses, registry, Clock.systemUTC());
  }
}
