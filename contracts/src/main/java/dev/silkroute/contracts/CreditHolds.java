package dev.silkroute.contracts;

import java.time.Duration;
import java.time.Instant;

/**
 * The credit an admitted request holds in Redis until its settlement, shared by the router (which
 * holds, settles and releases) and billing (which settles from the ledger what a router could not).
 *
 * <p>Admission reserves the request's worst-case cost from the customer's {@link RedisKeys#balance}
 * (and adds it to the key's {@link RedisKeys#keySpend}) and records the hold as a field of
 * {@link RedisKeys#creditHolds()}, named by the generation id. Settling deletes the field while it
 * applies the actual cost, so a settlement applies at most once, whoever sends it and however often:
 * the router retries one whose reply it did not get, and billing settles again every request whose
 * usage event reaches the ledger, which is what settles a request whose router died after publishing
 * its usage.
 *
 * <p>A hold still there at its due time belongs to a request whose router died before settling (or
 * that runs longer than {@link #DEFAULT_HOLD_FOR}): {@link #RELEASE_DUE} gives its reservation back
 * in full and keeps the field as a tombstone for {@link #TOMBSTONE_FOR}, so that a settlement that
 * still comes (the usage event was in the dead router's spool, or Kafka was away) charges the actual
 * cost then instead of being lost. Without holds, a failed settlement kept the worst case off the
 * customer's balance until someone rebuilt it by hand.
 *
 * <p>A hold is one string, {@link #record}: its state ({@code h} held, {@code r} released), due time
 * (epoch ms), micro-USD reserved, tokens estimated, then the balance, key-spend and token-counter keys
 * ({@code -} when the key has no token limit), separated by single spaces (no key name has one). One
 * hash field and no index beside it: the hot path pays one HSET and one HDEL in Redis, and the reaper
 * scans the hash every half minute instead (the requests in flight, and the tombstones of the few a
 * dead router left). The scripts name keys they read
 * from the record, so they suit one Redis (or Sentinel), not Redis Cluster, like the admission script.
 */
public final class CreditHolds {

  /** How long a hold lasts before the reaper gives it back, unless configured otherwise. */
  public static final Duration DEFAULT_HOLD_FOR = Duration.ofMinutes(15);

  /** How long a released hold waits for a late settlement: the usage topic's retention, at least. */
  public static final Duration TOMBSTONE_FOR = Duration.ofDays(7);

  /** Parses a record into state, due, worst, estimate, balance key, key-spend key, token counter. */
  private static final String PARSE =
      "string.match(raw, '^(%a) (%d+) (%d+) (%d+) (%S+) (%S+) (%S+)$')";

  /**
   * Settles one hold. KEYS: holds. ARGV: generation id, actual micro-USD, actual tokens. Returns 1
   * when it settled a live hold (the difference to the worst case given back, or the excess taken;
   * the token estimate replaced by what was used), 2 when it charged a released one its actual cost,
   * 0 when there was nothing to settle (settled before). A balance or spend that vanished meanwhile
   * (Redis emptied) is left to billing's rebuild from the ledger: adding to a missing key would
   * create a value that forgets every earlier grant.
   */
  public static final String SETTLE = """
      local raw = redis.call('HGET', KEYS[1], ARGV[1])
      if not raw then return 0 end
      local state, due, worst, estimate, balance, spend, tokens = """ + PARSE + """

      if not state then return redis.error_reply('not a credit hold: ' .. ARGV[1]) end
      -- Integers formatted as such: Lua's numbers are doubles, and "-0" or "1e+15" are no integers to Redis.
      local actual = tonumber(ARGV[2])
      local back = tonumber(worst) - actual
      if state == 'r' then back = 0 - actual end
      if back ~= 0 then
        back = string.format('%d', back)
        if redis.call('EXISTS', balance) == 1 then redis.call('INCRBY', balance, back) end
        if redis.call('EXISTS', spend) == 1 then redis.call('DECRBY', spend, back) end
      end
      local correction = tonumber(ARGV[3]) - tonumber(estimate)
      if state == 'h' and tokens ~= '-' and correction ~= 0 and redis.call('EXISTS', tokens) == 1 then
        redis.call('INCRBY', tokens, string.format('%d', correction))
      end
      -- Last: a command above that fails leaves the hold to be settled again.
      redis.call('HDEL', KEYS[1], ARGV[1])
      if state == 'r' then return 2 end
      return 1
      """;

  /**
   * Releases the due holds among one HSCAN step. KEYS: holds. ARGV: cursor, now epoch ms, step size,
   * tombstone due epoch ms. A live hold due is given back in full and becomes a tombstone; a tombstone
   * due is forgotten. Returns {next cursor ("0" when the scan is done), released, forgotten, records
   * it could not read (left as they are)}.
   */
  public static final String RELEASE_DUE = """
      local step = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[3])
      local now = tonumber(ARGV[2])
      local released, forgotten, unreadable = 0, 0, 0
      local fields = step[2]
      for i = 1, #fields, 2 do
        local id, raw = fields[i], fields[i + 1]
        local state, due, worst, estimate, balance, spend, tokens = """ + PARSE + """

        if not due then
          unreadable = unreadable + 1
        elseif tonumber(due) <= now then
          if state == 'r' then
            redis.call('HDEL', KEYS[1], id)
            forgotten = forgotten + 1
          else
            if redis.call('EXISTS', balance) == 1 then redis.call('INCRBY', balance, worst) end
            if redis.call('EXISTS', spend) == 1 then redis.call('DECRBY', spend, worst) end
            redis.call('HSET', KEYS[1], id, table.concat({'r', ARGV[4], worst, estimate, balance, spend, tokens}, ' '))
            released = released + 1
          end
        end
      end
      return {step[1], released, forgotten, unreadable}
      """;

  private CreditHolds() {
  }

  /**
   * A live hold's record, as admission writes it.
   *
   * @param tokensKey the admission minute's token counter, or {@code null} when the key has no token limit
   */
  public static String record(Instant due, long worstMicros, long estimatedTokens, String balanceKey,
                              String keySpendKey, String tokensKey) {
    return "h " + due.toEpochMilli() + " " + worstMicros + " " + estimatedTokens + " " + balanceKey + " "
        + keySpendKey + " " + (tokensKey == null ? "-" : tokensKey);
  }

  /** What a record says; for tools and tests that read holds. */
  public record Hold(boolean released, Instant due, long worstMicros, long estimatedTokens, String balanceKey,
                     String keySpendKey, String tokensKey) {

    public static Hold parse(String record) {
      String[] f = record.split(" ");
      if (f.length != 7) {
        throw new IllegalArgumentException("not a credit hold: " + record);
      }
      return new Hold(f[0].equals("r"), Instant.ofEpochMilli(Long.parseLong(f[1])), Long.parseLong(f[2]),
          Long.parseLong(f[3]), f[4], f[5], f[6].equals("-") ? null : f[6]);
    }
  }
}
