package dev.silkroute.worker;

import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.dispatch.Dispatcher;
import dev.silkroute.worker.dispatch.Submission;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The worker's Micrometer metrics. Labels are bounded: model (only ids this worker serves reach
 * here, unknown ones are labelled "unknown"), reason, outcome.
 */
@Requires(property = WorkerApplication.ENABLED, value = "true")
@Singleton
final class WorkerMetrics implements DispatchObserver {
  private final MeterRegistry registry;
  private volatile Dispatcher dispatcher;

  WorkerMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void bind(Dispatcher dispatcher) {
    this.dispatcher = dispatcher;
    Gauge.builder("silkroute.worker.running", this, m -> m.dispatcher.load().running())
        .description("Requests running (in the batch)").register(registry);
    Gauge.builder("silkroute.worker.queued", this, m -> m.dispatcher.load().queued())
        .description("Requests waiting for admission").register(registry);
    Gauge.builder("silkroute.worker.kv.cache.use", this, m -> m.dispatcher.load().kvCacheUse())
        .description("Reserved KV-cache fraction, 0 to 1").register(registry);
    Gauge.builder("silkroute.worker.tokens.per.second", this, m -> m.dispatcher.load().tokensPerSecond())
        .description("Generated tokens over the last second").register(registry);
    Gauge.builder("silkroute.worker.estimated.ttft", this, m -> m.dispatcher.load().estimatedTtftMillis())
        .baseUnit("milliseconds").description("Predicted time to first token for a request arriving now").register(registry);
    Gauge.builder("silkroute.worker.draining", this, m -> m.dispatcher.draining() ? 1 : 0)
        .description("1 while the worker drains").register(registry);
  }

  @Override
  public void rejected(String model, Submission.Reason reason) {
    Counter.builder("silkroute.worker.rejections")
        .description("Requests turned away at once")
        .tag("model", reason == Submission.Reason.UNKNOWN_MODEL ? "unknown" : model)
        .tag("reason", reason.name().toLowerCase())
        .register(registry).increment();
  }

  @Override
  public void firstToken(String model, long ttftNanos) {
    Timer.builder("silkroute.worker.ttft")
        .description("Time from a request's arrival to its first token")
        .tag("model", model)
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofMinutes(2))
        .register(registry).record(ttftNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void tokens(String model, int tokens) {
    Counter.builder("silkroute.worker.tokens.generated").tag("model", model).register(registry).increment(tokens);
  }

  @Override
  public void ended(String model, String outcome) {
    Counter.builder("silkroute.worker.requests")
        .description("Requests that ran, by how they ended (stop, length, error, cancelled)")
        .tag("model", model).tag("outcome", outcome)
        .register(registry).increment();
  }
}
