package dev.silkroute.worker;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.Map;
import org.reactivestreams.Publisher;

/** DOWN while the worker drains or its gRPC server is not serving, so that load balancers take it out. */
@Requires(property = WorkerApplication.ENABLED, value = "true")
@Singleton
final class WorkerHealthIndicator implements HealthIndicator {
  private final Worker worker;

  WorkerHealthIndicator(Worker worker) {
    this.worker = worker;
  }

  @Override
  public Publisher<HealthResult> getResult() {
    var load = worker.dispatcher().load();
    return Publishers.just(HealthResult.builder("worker", worker.healthy() ? HealthStatus.UP : HealthStatus.DOWN)
        .details(Map.of(
            "grpcServing", worker.grpcServer().serving(),
            "draining", load.draining(),
            "running", load.running(),
            "queued", load.queued()))
        .build());
  }
}
