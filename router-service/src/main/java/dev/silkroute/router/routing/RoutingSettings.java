package dev.silkroute.router.routing;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Routing settings ({@code silkroute.routing.*}), checked at start-up.
 *
 * @param catalogPoll         how often deploy/catalog.yaml is checked for changes
 * @param statsRefresh        how often endpoint statistics are re-read from Redis
 * @param sessionIdle         how long a sticky session lasts without a request
 * @param failureRatePercent  circuit breaker: failure share that opens it
 * @param slidingWindowCalls  circuit breaker: recent calls the share is over
 * @param minimumCalls        circuit breaker: calls before any verdict
 * @param openFor             circuit breaker: how long it stays open before probing
 * @param probesWhenHalfOpen  circuit breaker: probe calls when half-open
 * @param maxConcurrent       bulkhead: calls in flight per endpoint
 * @param defaultRetryAfter   back-off after a 429 without Retry-After
 * @param slowCallRatePercent circuit breaker: share of slow calls (first byte later than their timeout)
 *                            that opens it
 * @param timeoutMultiplier   first-byte timeout: times the endpoint's measured p99 (see {@link UpstreamTimeouts})
 * @param firstByteFloor      first-byte timeout: the shortest; its ceiling is silkroute.router.first-byte-timeout
 * @param firstByteInitial    first-byte timeout of an endpoint not measured yet
 * @param prefillTokensPerSecond first-byte timeout: time allowed per prompt token on top
 * @param reasoningTimeoutFactor first-byte timeout: factor for models that reason first
 * @param stallTimeout        the longest silence within a stream once it started
 * @param effectiveCost       the default order draws by each endpoint's {@link EffectiveCost} score for the
 *                            request (off: by the blended list price)
 * @param prefixAffinity      a prompt goes to the worker whose prefix cache holds most of its leading blocks,
 *                            unless that worker's queue makes its first token later than the next worker's
 */
@ConfigurationProperties("silkroute.routing")
public record RoutingSettings(
    @Bindable(defaultValue = "1s") Duration catalogPoll,
    @Bindable(defaultValue = "5s") Duration statsRefresh,
    @Bindable(defaultValue = "10m") Duration sessionIdle,
    @Bindable(defaultValue = "50") int failureRatePercent,
    @Bindable(defaultValue = "20") int slidingWindowCalls,
    @Bindable(defaultValue = "5") int minimumCalls,
    @Bindable(defaultValue = "30s") Duration openFor,
    @Bindable(defaultValue = "2") int probesWhenHalfOpen,
    @Bindable(defaultValue = "512") int maxConcurrent,
    @Bindable(defaultValue = "1s") Duration defaultRetryAfter,
    @Bindable(defaultValue = "50") int slowCallRatePercent,
    @Bindable(defaultValue = "3") double timeoutMultiplier,
    @Bindable(defaultValue = "1s") Duration firstByteFloor,
    @Bindable(defaultValue = "10s") Duration firstByteInitial,
    @Bindable(defaultValue = "5000") long prefillTokensPerSecond,
    @Bindable(defaultValue = "2") double reasoningTimeoutFactor,
    @Bindable(defaultValue = "30s") Duration stallTimeout,
    @Bindable(defaultValue = "true") boolean effectiveCost,
    @Bindable(defaultValue = "true") boolean prefixAffinity) {

  public RoutingSettings {
    positive(catalogPoll, "silkroute.routing.catalog-poll");
    positive(statsRefresh, "silkroute.routing.stats-refresh");
    positive(sessionIdle, "silkroute.routing.session-idle");
    // The parameters, not guards(): a compact constructor assigns the fields only after its body.
    new GuardSettings(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probesWhenHalfOpen,
        maxConcurrent, defaultRetryAfter, slowCallRatePercent);
  }

  /** Which rules of the default order are on. */
  public OrderRules rules() {
    return new OrderRules(effectiveCost, prefixAffinity);
  }

  public GuardSettings guards() {
    return new GuardSettings(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probesWhenHalfOpen,
        maxConcurrent, defaultRetryAfter, slowCallRatePercent);
  }

  /** The timeouts, with {@code ceiling} (silkroute.router.first-byte-timeout) as the longest first-byte timeout. */
  public UpstreamTimeouts timeouts(Duration ceiling) {
    return new UpstreamTimeouts(timeoutMultiplier, firstByteFloor, ceiling, firstByteInitial, prefillTokensPerSecond,
        reasoningTimeoutFactor, stallTimeout);
  }

  private static void positive(Duration value, String property) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(property + " must be a positive duration, got " + value);
    }
  }
}
