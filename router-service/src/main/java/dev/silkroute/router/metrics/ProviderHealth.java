package dev.silkroute.router.metrics;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.routing.EndpointStats;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The provider health picture for dashboards: per endpoint its circuit, uptime, latency, time to
 * first token and throughput; per self-hosted worker its load. Uptime, p50/p90 latency, TTFT and
 * throughput come from routing's statistics (all router replicas, last 30 minutes, else the day);
 * p99 latency from this replica's request histogram since it started (routing keeps no p99).
 */
final class ProviderHealth {

  private final Supplier<Map<String, CircuitBreaker.State>> circuits;
  private final Supplier<Map<String, EndpointStats>> stats;
  private final Supplier<List<WorkerStatus>> workers;
  private final MeterRegistry registry;
  private final Clock clock;

  ProviderHealth(Supplier<Map<String, CircuitBreaker.State>> circuits, Supplier<Map<String, EndpointStats>> stats,
                 Supplier<List<WorkerStatus>> workers, MeterRegistry registry, Clock clock) {
    this.circuits = circuits;
    this.stats = stats;
    this.workers = workers;
    this.registry = registry;
    this.clock = clock;
  }

  /** Times in milliseconds and throughput in tokens/s are -1 where nothing was measured. */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record EndpointHealth(String id, String provider, String model, String circuit, Double uptime,
                        @JsonProperty("requests_5m") long requests5m, @JsonProperty("requests_30m") long requests30m,
                        @JsonProperty("requests_1d") long requests1d, long latencyP50Ms,
                        long latencyP90Ms, long latencyP99Ms, long ttftP50Ms, long ttftP99Ms,
                        long throughputTokensPerSecond) {
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record WorkerLoad(String id, String gpuType, List<String> models, int running, int queued, int maxRunning,
                    int maxQueued, double kvCacheUse, double tokensPerSecond, long estimatedTtftMs,
                    long reportedAtMs) {
  }

  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  record Report(String object, Instant generatedAt, List<EndpointHealth> endpoints, List<WorkerLoad> workers) {
  }

  Report now() {
    Map<String, CircuitBreaker.State> states = circuits.get();
    Map<String, EndpointStats> all = stats.get();
    TreeSet<String> ids = new TreeSet<>(states.keySet());
    ids.addAll(all.keySet());
    List<EndpointHealth> endpoints = new ArrayList<>(ids.size());
    for (String id : ids) {
      EndpointName name = EndpointName.of(id);
      EndpointStats s = all.getOrDefault(id, EndpointStats.NONE);
      CircuitBreaker.State state = states.getOrDefault(id, CircuitBreaker.State.CLOSED);
      double uptime = s.uptime();
      long p99 = RouterMetrics.existingLatencyTimer(registry, name.provider(), name.model())
          .map(ProviderHealth::p99Millis).orElse(-1L);
      endpoints.add(new EndpointHealth(id, name.provider(), name.model(),
          state.name().toLowerCase(Locale.ROOT), Double.isNaN(uptime) ? null : uptime, s.requests5m(),
          s.requests30m(), s.requests1d(), s.latencyP50Ms(), s.latencyP90Ms(), p99, s.ttftP50Ms(),
          s.ttftP99Ms(), s.throughputP50()));
    }
    List<WorkerLoad> loads = workers.get().stream()
        .sorted(Comparator.comparing(WorkerStatus::getWorkerId))
        .map(w -> new WorkerLoad(w.getWorkerId(), w.getGpuType(), List.copyOf(w.getModelsList()), w.getRunning(),
            w.getQueued(), w.getMaxRunning(), w.getMaxQueued(), w.getKvCacheUse(), w.getTokensPerSecond(),
            w.getEstimatedTtftMs(), w.getReportedAtMs()))
        .toList();
    return new Report("provider_health", clock.instant(), endpoints, loads);
  }

  /**
   * The upper bound of the histogram bucket holding the 99th percentile, in milliseconds; -1 before
   * any request. Buckets are cumulative, as Prometheus exports them.
   */
  static long p99Millis(Timer timer) {
    HistogramSnapshot snapshot = timer.takeSnapshot();
    long count = snapshot.count();
    if (count == 0) {
      return -1;
    }
    double rank = Math.ceil(0.99 * count);
    for (CountAtBucket bucket : snapshot.histogramCounts()) {
      if (bucket.count() >= rank) {
        return Math.round(bucket.bucket(TimeUnit.MILLISECONDS));
      }
    }
    return Math.round(snapshot.max(TimeUnit.MILLISECONDS));
  }
}
