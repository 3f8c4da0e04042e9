package dev.silkroute.router.limits;

import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.RedisKeys;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Gives back the credit of requests nobody settled: their router died between admission and
 * settlement, so their hold reached its due time ({@link CreditHolds}). Every router runs it; the
 * script is atomic, so two routers never release one hold twice.
 */
public final class CreditHoldReaper {

  /** Holds released per script run, so that one run never keeps Redis busy for long. */
  static final int BATCH = 100;

  /** What one pass did. */
  public record Pass(long released, long forgotten) {
  }

  private final StatefulRedisConnection<String, String> redis;
  private final RedisKeys keys;
  private final Clock clock;
  private final RedisScript release;

  public CreditHoldReaper(StatefulRedisConnection<String, String> redis, String keyPrefix, Clock clock) {
    this.redis = redis;
    this.keys = new RedisKeys(keyPrefix);
    this.clock = clock;
    this.release = new RedisScript(redis.sync(), CreditHolds.RELEASE_DUE);
  }

  /** Releases every hold due now, a batch at a time; blocks (a scheduler's thread, never an event loop). */
  public Pass releaseDue() {
    long released = 0;
    long forgotten = 0;
    while (true) {
      Instant now = clock.instant();
      List<Long> result = release.<List<Long>>runAsync(redis.async(), ScriptOutputType.MULTI,
          new String[] {keys.creditHolds(), keys.creditHoldsDue()}, String.valueOf(now.toEpochMilli()),
          String.valueOf(BATCH), String.valueOf(now.plus(CreditHolds.TOMBSTONE_FOR).toEpochMilli())).join();
      released += result.get(0);
      forgotten += result.get(1);
      if (result.get(0) + result.get(1) < BATCH) {
        return new Pass(released, forgotten);
      }
    }
  }
}
