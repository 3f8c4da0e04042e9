package dev.silkroute.contracts;

import java.time.Duration;

/**
 * The credit an admitted request holds in Redis until its settlement, shared by the router (which
 * holds, settles and releases) and billing (which settles from the ledger what a router could not).
 *
 * <p>Admission reserves the request's worst-case cost from the customer's {@link RedisKeys#balance}
 * (and adds it to the key's {@link RedisKeys#keySpend}) and records the hold as a field of
 * {@link RedisKeys#creditHolds()}, named by the generation id, with a due time in
 * {@link RedisKeys#creditHoldsDue()}. Settling deletes the field while it applies the actual cost,
 * so a settlement applies at most once, whoever sends it and however often: the router retries one
 * whose reply it did not get, and billing settles again every request whose usage event reaches the
 * ledger, which is what settles a request whose router died after publishing its usage.
 *
 * <p>A hold still there at its due time belongs to a request whose router died before settling (or
 * that runs longer than {@link #DEFAULT_HOLD_FOR}): {@link #RELEASE_DUE} gives its reservation back
 * in full and keeps the field as a tombstone for {@link #TOMBSTONE_FOR}, so that a settlement that
 * still comes (the usage event was in the dead router's spool, or Kafka was away) charges the actual
 * cost then instead of being lost. Without holds, a failed settlement kept the worst case off the
 * customer's balance until someone rebuilt it by hand.
 *
 * <p>The record is a JSON object (Redis's Lua has {@code cjson}): {@code b} balance key, {@code s}
 * key-spend key, {@code t} the admission minute's token counter ({@code ""} when the key has no
 * token limit), {@code w} micro-USD reserved, {@code e} tokens estimated, {@code r} present once
 * released. The scripts name keys they read from the record, so they suit one Redis (or Sentinel),
 * not Redis Cluster, like the admission script beside them.
 */
public final class CreditHolds {

  /** How long a hold lasts before the reaper gives it back, unless configured otherwise. */
  public static final Duration DEFAULT_HOLD_FOR = Duration.ofMinutes(15);

  /** How long a released hold waits for a late settlement: the usage topic's retention, at least. */
  public static final Duration TOMBSTONE_FOR = Duration.ofDays(7);

  /**
   * Records a hold; a line of the admission script, after its reservation. Uses {@code KEYS[5]}
   * holds and {@code KEYS[6]} due, {@code ARGV[7]} generation id and {@code ARGV[8]} due epoch ms,
   * and the Lua locals {@code tokensKey}, {@code worst} and {@code estimate}.
   */
  public static final String HOLD = """
      redis.call('HSET', KEYS[5], ARGV[7], cjson.encode({b = KEYS[3], s = KEYS[4], t = tokensKey, w = worst, e = estimate}))
      redis.call('ZADD', KEYS[6], ARGV[8], ARGV[7])
      """;

  /**
   * Settles one hold. KEYS: holds, due. ARGV: generation id, actual micro-USD, actual tokens. Returns
   * 1 when it settled a live hold (the difference to the worst case given back, or the excess taken;
   * the token estimate replaced by what was used), 2 when it charged a released one its actual cost,
   * 0 when there was nothing to settle (settled before). A balance or spend that vanished meanwhile
   * (Redis emptied) is left to billing's rebuild from the ledger: adding to a missing key would
   * create a value that forgets every earlier grant.
   */
  public static final String SETTLE = """
      local raw = redis.call('HGET', KEYS[1], ARGV[1])
      if not raw then return 0 end
      local hold = cjson.decode(raw)
      local actual = tonumber(ARGV[2])
      local back = hold.w - actual
      if hold.r then back = -actual end
      if redis.call('EXISTS', hold.b) == 1 then redis.call('INCRBY', hold.b, back) end
      if redis.call('EXISTS', hold.s) == 1 then redis.call('DECRBY', hold.s, back) end
      local correction = tonumber(ARGV[3]) - hold.e
      if not hold.r and hold.t ~= '' and correction ~= 0 and redis.call('EXISTS', hold.t) == 1 then
        redis.call('INCRBY', hold.t, correction)
      end
      redis.call('HDEL', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      if hold.r then return 2 end
      return 1
      """;

  /**
   * Releases the holds due by now, at most a batch of them. KEYS: holds, due. ARGV: now epoch ms, batch
   * size, tombstone epoch ms. A live hold's reservation is given back in full and the hold becomes a
   * tombstone due at the tombstone time; a tombstone due is forgotten. Returns {holds released,
   * tombstones forgotten}.
   */
  public static final String RELEASE_DUE = """
      local released, forgotten = 0, 0
      for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))) do
        local raw = redis.call('HGET', KEYS[1], id)
        if not raw then
          redis.call('ZREM', KEYS[2], id)
        else
          local hold = cjson.decode(raw)
          if hold.r then
            redis.call('HDEL', KEYS[1], id)
            redis.call('ZREM', KEYS[2], id)
            forgotten = forgotten + 1
          else
            if redis.call('EXISTS', hold.b) == 1 then redis.call('INCRBY', hold.b, hold.w) end
            if redis.call('EXISTS', hold.s) == 1 then redis.call('DECRBY', hold.s, hold.w) end
            hold.r = 1
            redis.call('HSET', KEYS[1], id, cjson.encode(hold))
            redis.call('ZADD', KEYS[2], ARGV[3], id)
            released = released + 1
          end
        end
      end
      return {released, forgotten}
      """;

  private CreditHolds() {
  }
}
