package dev.silkroute.router.routing;

import java.time.Duration;

/**
 * Per-endpoint protection: circuit breaker, bulkhead, and the back-off after a 429.
 *
 * @param failureRatePercent   the circuit opens when at least this share of recent calls failed
 * @param slidingWindowCalls   how many recent calls the failure rate is over
 * @param minimumCalls         no verdict before this many calls
 * @param openFor              how long an open circuit refuses calls before it lets probes through
 * @param probesWhenHalfOpen   calls let through to decide whether to close again
 * @param maxConcurrent        calls in flight to one endpoint at most (bulkhead)
 * @param defaultRetryAfter    back-off after a 429 that did not say how long
 * @param slowCallRatePercent  the circuit also opens when at least this share of recent calls were slow:
 *                             slower to their first byte than the timeout they were given (see
 *                             {@link UpstreamTimeouts}); only a last candidate, which is not cut off,
 *                             can be
 */
public record GuardSettings(int failureRatePercent, int slidingWindowCalls, int minimumCalls, Duration openFor,
                            int probesWhenHalfOpen, int maxConcurrent, Duration defaultRetryAfter,
                            int slowCallRatePercent) {

  /** Settings whose slow-call rate is the failure rate. */
  public GuardSettings(int failureRatePercent, int slidingWindowCalls, int minimumCalls, Duration openFor,
                       int probesWhenHalfOpen, int maxConcurrent, Duration defaultRetryAfter) {
    this(failureRatePercent, slidingWindowCalls, minimumCalls, openFor, probesWhenHalfOpen, maxConcurrent,
        defaultRetryAfter, failureRatePercent);
  }

  public GuardSettings {
    between(slowCallRatePercent, 1, 100, "slow-call-rate-percent");
    between(failureRatePercent, 1, 100, "failure-rate-percent");
    between(slidingWindowCalls, 1, 10_000, "sliding-window-calls");
    between(minimumCalls, 1, slidingWindowCalls, "minimum-calls");
    between(probesWhenHalfOpen, 1, 1_000, "probes-when-half-open");
    between(maxConcurrent, 1, 1_000_000, "max-concurrent");
    if (openFor == null || openFor.isNegative() || openFor.isZero()) {
      throw new IllegalArgumentException("silkroute.routing.open-for must be a positive duration, got " + openFor);
    }
    if (defaultRetryAfter == null || defaultRetryAfter.isNegative()) {
      throw new IllegalArgumentException("silkroute.routing.default-retry-after must be >= 0, got "
          + defaultRetryAfter);
    }
  }

  /** 50% of the last 20 calls (at least 5), open 30 s, 2 probes, 512 concurrent calls, 1 s after a bare 429. */
  public static GuardSettings ofDefaults() {
    return new GuardSettings(50, 20, 5, Duration.ofSeconds(30), 2, 512, Duration.ofSeconds(1));
  }

  private static void between(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new IllegalArgumentException("silkroute.routing." + name + " must be from " + min + " to " + max
          + ", got " + value);
    }
  }
}
