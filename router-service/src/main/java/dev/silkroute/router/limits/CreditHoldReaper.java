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

  /** Holds looked at per script run (one HSCAN step), so that one run never keeps Redis busy for long. */
  static final int STEP = 200;

  /** What one pass did; {@code unreadable}: records no script can read, left as they are. */
  public record Pass(long released, long forgotten, long unreadable) {
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

  /**
   * Releases every hold due now, scanning the holds a step at a time (one per request in flight, and
   * the tombstones of those a dead router left); blocks (a scheduler's thread, never an event loop).
   */
  public Pass releaseDue() {
    long released = 0;
    long forgotten = 0;
    long unreadable = 0;
    String cursor = "0";
    do {
      Instant now = clock.instant();
      List<Object> step = release.<List<Object>>runAsync(redis.async(), ScriptOutputType.MULTI,
          new String[] {keys.creditHolds()}, cursor, String.valueOf(now.toEpochMilli()), String.valueOf(STEP),
          String.valueOf(now.plus(CreditHolds.TOMBSTONE_FOR).toEpochMilli())).join();
      cursor = (String) step.get(0);
      released += (Long) step.get(1);
      forgotten += (Long) step.get(2);
      unreadable += (Long) step.get(3);
    } while (!cursor.equals("0"));
    return new Pass(released, forgotten, unreadable);
  }
}
