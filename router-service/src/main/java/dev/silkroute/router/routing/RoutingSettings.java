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
    @Bindable(defaultValue = "1s") Duration defaultRetryAfter) {

  public RoutingSettings {
    positive(catalogPoll, "silkroute.routing.catalog-poll");
    positive(statsRefresh, "silkroute.routing.stats-refresh");
    positive(sessionIdle, "silkroute.routing.session-idle");
    guard(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probesWhenHalfOpen, maxConcurrent,
        defaultRetryAfter);
  }

  public GuardSettings guards() {
    return guard(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probesWhenHalfOpen, maxConcurrent,
        defaultRetryAfter);
  }

  private static GuardSettings guard(int rate, int window, int min, Duration open, int probes, int concurrent,
                                     Duration retryAfter) {
    return new GuardSettings(rate, window, min, open, probes, concurrent, retryAfter);
  }

  private static void positive(Duration value, String property) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(property + " must be a positive duration, got " + value);
    }
  }
}
