package dev.silkroute.router.limits;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.util.List;
import java.util.OptionalLong;

/**
 * Credit reservations against the customer's balance in Redis ({@code <prefix>balance:<customer>},
 * micro-USD, credited by billing-service on every grant). A request reserves its worst-case cost
 * before it is routed and settles to its actual cost when it ends, so concurrent requests can never
 * spend more than the balance. The key's own spend ({@code <prefix>keyspend:<key>}) is held against
 * its credit limit the same way.
 */
public final class Credit {

  /** Why a reservation was refused. */
  public enum Refusal { NO_BALANCE, INSUFFICIENT_CREDIT, KEY_LIMIT }

  /** The outcome: a reservation of {@code reservedMicros}, or a refusal with what was available. */
  public record Verdict(Refusal refusal, long availableMicros) {

    public boolean reserved() {
      return refusal == null;
    }
  }

  private static final String RESERVE = """
      local balance = redis.call('GET', KEYS[1])
      if not balance then return {1, 0} end
      balance = tonumber(balance)
      local worst = tonumber(ARGV[1])
      if balance < worst then return {2, balance} end
      local limit = tonumber(ARGV[2])
      local spent = tonumber(redis.call('GET', KEYS[2]) or '0')
      if limit >= 0 and spent + worst > limit then return {3, limit - spent} end
      redis.call('INCRBY', KEYS[2], worst)
      redis.call('DECRBY', KEYS[1], worst)
      return {0, balance - worst}
      """;

  // A balance that vanished meanwhile (Redis emptied) is left to billing's rebuild from the ledger:
  // adding to a missing key would create a balance that forgets every earlier grant.
  private static final String SETTLE = """
      if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('INCRBY', KEYS[1], ARGV[1]) end
      if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('INCRBY', KEYS[2], ARGV[2]) end
      return 0
      """;

  private final RedisScriptingCommands<String, String> redis;
  private final String keyPrefix;

  public Credit(RedisScriptingCommands<String, String> redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  public Verdict reserve(String customerId, String keyId, OptionalLong keyLimitMicros, long worstCaseMicros) {
    List<Long> result = redis.eval(RESERVE, ScriptOutputType.MULTI,
        new String[] {balanceKey(customerId), keySpendKey(keyId)},
        String.valueOf(worstCaseMicros), String.valueOf(keyLimitMicros.orElse(-1)));
    Refusal refusal = switch (result.get(0).intValue()) {
      case 0 -> null;
      case 1 -> Refusal.NO_BALANCE;
      case 2 -> Refusal.INSUFFICIENT_CREDIT;
      default -> Refusal.KEY_LIMIT;
    };
    return new Verdict(refusal, result.get(1));
  }

  /**
   * Turns the reservation into the actual cost: gives back the difference, or takes the excess if
   * the estimate was short, so the balance always equals credit granted minus what the ledger holds.
   */
  public void settle(String customerId, String keyId, long reservedMicros, long actualMicros) {
    long refund = reservedMicros - actualMicros;
    redis.eval(SETTLE, ScriptOutputType.INTEGER, new String[] {balanceKey(customerId), keySpendKey(keyId)},
        String.valueOf(refund), String.valueOf(-refund));
  }

  private String balanceKey(String customerId) {
    return keyPrefix + "balance:" + customerId;
  }

  private String keySpendKey(String keyId) {
    return keyPrefix + "keyspend:" + keyId;
  }
}
