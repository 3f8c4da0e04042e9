package dev.silkroute.router.limits;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.time.Instant;
import java.util.List;

/**
 * Per-key requests-per-minute and tokens-per-minute, counted in Redis so that every router replica
 * enforces one limit. A window is the calendar minute; the check and the count are one Lua script,
 * so concurrent requests cannot slip past the limit together.
 */
public final class RateLimits {

  /** Verdict of one admission: whether it passed, and the counts for the X-RateLimit headers. */
  public record Window(boolean admitted, String limitedBy, long limit, long remaining, long resetSeconds) {
  }

  private static final String ADMIT = """
      local requests = tonumber(redis.call('GET', KEYS[1]) or '0')
      local tokens = tonumber(redis.call('GET', KEYS[2]) or '0')
      local rpm = tonumber(ARGV[1])
      local tpm = tonumber(ARGV[2])
      local estimate = tonumber(ARGV[3])
      if rpm >= 0 and requests + 1 > rpm then return {1, requests, tokens} end
      -- A request larger than the whole budget still runs alone in an empty minute.
      if tpm >= 0 and tokens > 0 and tokens + estimate > tpm then return {2, requests, tokens} end
      redis.call('INCR', KEYS[1])
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      redis.call('INCRBY', KEYS[2], estimate)
      redis.call('EXPIRE', KEYS[2], ARGV[4])
      return {0, requests + 1, tokens + estimate}
      """;

  private final RedisScriptingCommands<String, String> redis;
  private final String keyPrefix;

  public RateLimits(RedisScriptingCommands<String, String> redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  /** Counts the request against the key's minute, unless that would break one of its limits. */
  public Window admit(String keyId, KeyLimits limits, long estimatedTokens, Instant now) {
    long resetSeconds = 60 - now.getEpochSecond() % 60;
    if (limits.requestsPerMinute().isEmpty() && limits.tokensPerMinute().isEmpty()) {
      return new Window(true, null, -1, -1, resetSeconds);
    }
    long minute = now.getEpochSecond() / 60;
    long rpm = limits.requestsPerMinute().orElse(-1);
    long tpm = limits.tokensPerMinute().orElse(-1);
    List<Long> result = redis.eval(ADMIT, ScriptOutputType.MULTI,
        new String[] {requestsKey(keyId, minute), tokensKey(keyId, minute)},
        String.valueOf(rpm), String.valueOf(tpm), String.valueOf(estimatedTokens), "120");
    long verdict = result.get(0);
    if (verdict == 1) {
      return new Window(false, "requests_per_minute", rpm, 0, resetSeconds);
    }
    if (verdict == 2) {
      return new Window(false, "tokens_per_minute", tpm, Math.max(0, tpm - result.get(2)), resetSeconds);
    }
    return rpm >= 0 ? new Window(true, "requests_per_minute", rpm, rpm - result.get(1), resetSeconds)
        : new Window(true, "tokens_per_minute", tpm, Math.max(0, tpm - result.get(2)), resetSeconds);
  }

  /** Replaces the admission's token estimate with what the request really used. */
  public void correctTokens(String keyId, KeyLimits limits, long delta, Instant admittedAt) {
    if (limits.tokensPerMinute().isPresent() && delta != 0) {
      String key = tokensKey(keyId, admittedAt.getEpochSecond() / 60);
      redis.eval("if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end"
          + " return 0", ScriptOutputType.INTEGER, new String[] {key}, String.valueOf(delta));
    }
  }

  private String requestsKey(String keyId, long minute) {
    return keyPrefix + "rl:req:" + keyId + ":" + minute;
  }

  private String tokensKey(String keyId, long minute) {
    return keyPrefix + "rl:tok:" + keyId + ":" + minute;
  }
}
