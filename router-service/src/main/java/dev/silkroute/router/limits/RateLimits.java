package dev.silkroute.router.limits;

import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import java.time.Instant;

/**
 * Per-key requests-per-minute and tokens-per-minute, counted in Redis so that every router replica
 * enforces one limit. A window is the calendar minute; {@link Admission}'s script checks and counts
 * in one step, so concurrent requests cannot slip past the limit together.
 */
public final class RateLimits {

  /** Verdict of one admission: whether it passed, and the counts for the X-RateLimit headers. */
  public record Window(boolean admitted, String limitedBy, long limit, long remaining, long resetSeconds) {
  }

  /** How long a minute's counters outlive it. */
  static final String WINDOW_TTL_SECONDS = "120";

  private final RedisKeys keys;

  public RateLimits(String keyPrefix) {
    this.keys = new RedisKeys(keyPrefix);
  }

  static boolean applies(KeyLimits limits) {
    return limits.requestsPerMinute().isPresent() || limits.tokensPerMinute().isPresent();
  }

  static long secondsToReset(Instant now) {
    return 60 - now.getEpochSecond() % 60;
  }

  /**
   * The window as the admission script left it: {@code verdict} 1 = over requests per minute,
   * 2 = over tokens per minute, anything else = counted; {@code requests} and {@code tokens} are
   * the minute's counts after this request (before it, when refused).
   */
  static Window window(KeyLimits limits, long verdict, long requests, long tokens, Instant now) {
    long resetSeconds = secondsToReset(now);
    if (!applies(limits)) {
      return new Window(true, null, -1, -1, resetSeconds);
    }
    long rpm = limits.requestsPerMinute().orElse(-1);
    long tpm = limits.tokensPerMinute().orElse(-1);
    if (verdict == 1) {
      return new Window(false, "requests_per_minute", rpm, 0, resetSeconds);
    }
    if (verdict == 2) {
      return new Window(false, "tokens_per_minute", tpm, Math.max(0, tpm - tokens), resetSeconds);
    }
    return rpm >= 0 ? new Window(true, "requests_per_minute", rpm, rpm - requests, resetSeconds)
        : new Window(true, "tokens_per_minute", tpm, Math.max(0, tpm - tokens), resetSeconds);
  }

  String requestsKey(String keyId, Instant at) {
    return keys.requestsInMinute(keyId, at);
  }

  String tokensKey(String keyId, Instant at) {
    return keys.tokensInMinute(keyId, at);
  }
}
