package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What routing knows about every endpoint right now: its guard (circuit, bulkhead, back-off) and its
 * traffic statistics, and from both its {@link Health}.
 */
public final class EndpointBoard {

  /** Uptime under this is degraded. */
  static final double DEGRADED_BELOW = 0.95;
  /** Uptime under this is down. */
  static final double DOWN_BELOW = 0.80;

  private final GuardSettings settings;
  private final TrafficStats stats;
  private final Clock clock;
  private final CircuitBreakerConfig breakerConfig;
  private final BulkheadConfig bulkheadConfig;
  private final Map<String, EndpointGuard> guards = new ConcurrentHashMap<>();
  /** Every endpoint guarded so far, as first guarded (for the price gauges). */
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

  /**
   * An endpoint's list price of prompt tokens and its effective one given its measured cached share,
   * micro-USD per million tokens (see {@link EffectiveCost#effectivePromptMicrosPerMillion}).
   */
  public record PromptPrice(long listMicrosPerMillion, long effectiveMicrosPerMillion, double cachedShare) {
  }

  public EndpointBoard(GuardSettings settings, TrafficStats stats, Clock clock) {
    this.settings = settings;
    this.stats = stats;
    this.clock = clock;
    this.breakerConfig = CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(settings.slidingWindowCalls())
        .minimumNumberOfCalls(settings.minimumCalls())
        .failureRateThreshold(settings.failureRatePercent())
        .waitDurationInOpenState(settings.openFor())
        .permittedNumberOfCallsInHalfOpenState(settings.probesWhenHalfOpen())
        .slowCallRateThreshold(settings.slowCallRatePercent())
        .slowCallDurationThreshold(Duration.ofMillis(EndpointGuard.SLOW_AT))
        .clock(clock)
        .build();
    // No waiting for a place: a full endpoint is passed over for the next candidate at once.
    this.bulkheadConfig = BulkheadConfig.custom().maxConcurrentCalls(settings.maxConcurrent())
        .maxWaitDuration(Duration.ZERO).build();
  }

  public EndpointGuard guard(Endpoint endpoint) {
    EndpointGuard guard = guards.get(endpoint.id());
    return guard != null ? guard : guards.computeIfAbsent(endpoint.id(), id -> newGuard(endpoint));
  }

  public EndpointStats stats(Endpoint endpoint) {
    return stats.stats(endpoint.id());
  }

  public Health health(Endpoint endpoint) {
    return health(endpoint, stats(endpoint));
  }

  /** {@link #health(Endpoint)} from statistics the caller already read. */
  Health health(Endpoint endpoint, EndpointStats stats) {
    return health(guard(endpoint), stats);
  }

  /** The guarded endpoint's statistics: what {@link #stats(Endpoint)} returns, without a map look-up. */
  EndpointStats stats(EndpointGuard guard) {
    return guard.stats(stats.all());
  }

  /** {@link #health(Endpoint, EndpointStats)} for an endpoint whose guard the caller holds. */
  Health health(EndpointGuard guard, EndpointStats stats) {
    CircuitBreaker.State circuit = guard.routingState();
    if (circuit == CircuitBreaker.State.OPEN || circuit == CircuitBreaker.State.FORCED_OPEN) {
      return Health.DOWN;
    }
    double uptime = stats.uptime();
    Health byUptime = Double.isNaN(uptime) || uptime >= DEGRADED_BELOW ? Health.HEALTHY
        : uptime >= DOWN_BELOW ? Health.DEGRADED : Health.DOWN;
    if (byUptime == Health.HEALTHY && circuit == CircuitBreaker.State.HALF_OPEN) {
      return Health.DEGRADED;
    }
    return byUptime;
  }

  /**
   * The circuit state of every endpoint routing has guarded so far, by endpoint id: a read-only
   * snapshot for metrics and dashboards.
   */
  public Map<String, CircuitBreaker.State> circuits() {
    Map<String, CircuitBreaker.State> states = new TreeMap<>();
    guards.forEach((id, guard) -> states.put(id, guard.circuit()));
    return states;
  }

  /** This replica's attempts at the endpoint that were late in this way, since start-up (for metrics). */
  public long lateCount(String endpointId, Lateness kind) {
    EndpointGuard guard = guards.get(endpointId);
    return guard == null ? 0 : guard.lateCount(kind);
  }

  /** Each guarded endpoint's list and effective prompt price, by endpoint id: a snapshot for metrics. */
  public Map<String, PromptPrice> promptPrices() {
    Map<String, PromptPrice> prices = new TreeMap<>();
    endpoints.forEach((id, endpoint) -> {
      TokenMix.Mix mix = stats(endpoint).mix();
      prices.put(id, new PromptPrice(endpoint.price().promptMicrosPerMillion(),
          EffectiveCost.effectivePromptMicrosPerMillion(endpoint.price(), mix), EffectiveCost.cachedShare(mix)));
    });
    return prices;
  }

  TrafficStats traffic() {
    return stats;
  }

  Clock clock() {
    return clock;
  }

  GuardSettings settings() {
    return settings;
  }

  private EndpointGuard newGuard(Endpoint endpoint) {
    stats.track(endpoint.id());
    endpoints.put(endpoint.id(), endpoint);
    return new EndpointGuard(CircuitBreaker.of(endpoint.id(), breakerConfig),
        Bulkhead.of(endpoint.id(), bulkheadConfig), clock, endpoint.traits().requestsPerMinute());
  }
}
