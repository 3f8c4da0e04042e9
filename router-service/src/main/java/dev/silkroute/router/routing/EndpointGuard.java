package dev.silkroute.router.routing;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One endpoint's protection: its circuit breaker and bulkhead (Resilience4j), the time until which a
 * 429's Retry-After holds it back, and the provider's own request rate limit (a fixed one-minute
 * window, counted per router replica).
 */
public final class EndpointGuard {

  /**
   * The breaker's slow-call threshold, in the unit calls are reported in: thousandths of the call's
   * own first-byte timeout. One breaker configuration then serves endpoints whose usual latency
   * differs a hundredfold, and follows it as it moves.
   */
  static final long SLOW_AT = 1_000;

  /** Why an endpoint was passed over without being tried. */
  public enum Refusal { RETRY_AFTER, RATE_LIMIT, BULKHEAD_FULL, CIRCUIT_OPEN }

  private final CircuitBreaker breaker;
  private final Bulkhead bulkhead;
  private final Clock clock;
  private final int requestsPerMinute;
  private final Map<Lateness, LongAdder> late =
      new EnumMap<>(Lateness.class);
  private final String endpointId;
  private volatile StatsSeen statsSeen = new StatsSeen(null, EndpointStats.NONE);
  private volatile long heldBackUntilMillis;
  private long windowMinute;
  private int windowCount;

  EndpointGuard(CircuitBreaker breaker, Bulkhead bulkhead, Clock clock, int requestsPerMinute) {
    this.endpointId = breaker.getName();
    this.breaker = breaker;
    this.bulkhead = bulkhead;
    this.clock = clock;
    this.requestsPerMinute = requestsPerMinute;
    for (Lateness kind : Lateness.values()) {
      late.put(kind, new LongAdder());
    }
  }

  void late(Lateness kind) {
    late.get(kind).increment();
  }

  /** Attempts at this endpoint from this replica that were late in this way, since start-up. */
  public long lateCount(Lateness kind) {
    return late.get(kind).sum();
  }

  /**
   * Takes a place for one call, or says why not.
   *
   * @param ignoreCircuit call even through an open circuit (a last resort when nothing else is left)
   */
  Optional<Refusal> acquire(boolean ignoreCircuit) {
    long now = clock.millis();
    if (now < heldBackUntilMillis) {
      return Optional.of(Refusal.RETRY_AFTER);
    }
    if (!takeRate(now)) {
      return Optional.of(Refusal.RATE_LIMIT);
    }
    if (!bulkhead.tryAcquirePermission()) {
      return Optional.of(Refusal.BULKHEAD_FULL);
    }
    if (!breaker.tryAcquirePermission() && !ignoreCircuit) {
      bulkhead.onComplete();
      return Optional.of(Refusal.CIRCUIT_OPEN);
    }
    return Optional.empty();
  }

  /** Ends a call taken with {@link #acquire}: frees its place and tells the breaker how it went. */
  void release(Outcome outcome, long latencyMs, long retryAfterMillis) {
    release(outcome, latencyMs, 0, retryAfterMillis);
  }

  /**
   * {@link #release(Outcome, long, long)} for a call that had a first-byte timeout: one whose first
   * byte took longer ({@code firstByteMs > timeoutMs}) counts as slow in the breaker's slow-call rate.
   *
   * @param firstByteMs how long the first byte took, -1 when none came
   * @param timeoutMs   the call's first-byte timeout; 0 = none, never slow
   */
  void release(Outcome outcome, long firstByteMs, long timeoutMs, long retryAfterMillis) {
    bulkhead.onComplete();
    long relative = timeoutMs <= 0 || firstByteMs < 0 ? 0 : firstByteMs * SLOW_AT / timeoutMs;
    switch (outcome) {
      case OK -> breaker.onSuccess(relative, TimeUnit.MILLISECONDS);
      case PROVIDER_ERROR -> breaker.onError(relative, TimeUnit.MILLISECONDS, new EndpointFailure());
      default -> breaker.releasePermission(); // busy, caller's fault or cancelled: no verdict on health
    }
    if (outcome == Outcome.RATE_LIMITED) {
      holdBack(retryAfterMillis);
    }
  }

  /** Passes the endpoint over until {@code millis} from now. */
  public void holdBack(long millis) {
    heldBackUntilMillis = Math.max(heldBackUntilMillis, clock.millis() + millis);
  }

  public CircuitBreaker.State circuit() {
    return breaker.getState();
  }

  /**
   * The circuit as routing ranks it, read once: an open circuit past its wait reads as half-open (it
   * lets probes through).
   */
  CircuitBreaker.State routingState() {
    CircuitBreaker.State state = breaker.getState();
    // Resilience4j moves to half-open only when asked for a permission; ask without spending it.
    if (state == CircuitBreaker.State.OPEN && breaker.tryAcquirePermission()) {
      breaker.releasePermission();
      return breaker.getState();
    }
    return state;
  }

  /**
   * The endpoint's statistics in {@code current} (the traffic statistics' latest map), looked up once
   * per refresh of that map rather than once per routing decision.
   */
  EndpointStats stats(Map<String, EndpointStats> current) {
    StatsSeen seen = statsSeen;
    if (seen.from != current) {
      seen = new StatsSeen(current, current.getOrDefault(endpointId, EndpointStats.NONE));
      statsSeen = seen;
    }
    return seen.stats;
  }

  /** One read of the statistics map: which map, and what it held for this endpoint. */
  private record StatsSeen(Map<String, EndpointStats> from, EndpointStats stats) {
  }

  boolean heldBack() {
    return clock.millis() < heldBackUntilMillis;
  }

  private synchronized boolean takeRate(long now) {
    if (requestsPerMinute <= 0) {
      return true;
    }
    long minute = now / 60_000;
    if (minute != windowMinute) {
      windowMinute = minute;
      windowCount = 0;
    }
    if (windowCount >= requestsPerMinute) {
      return false;
    }
    windowCount++;
    return true;
  }

  /** What the breaker records for a failed call (no stack trace: it is an expected outcome). */
  private static final class EndpointFailure extends RuntimeException {
    EndpointFailure() {
      super("endpoint failed", null, false, false);
    }
  }
}
