package dev.silkroute.router.limits;

import dev.silkroute.contracts.RedisKeys;

/**
 * Credit reservations against the customer's balance in Redis ({@link RedisKeys#balance}, micro-USD,
 * credited by billing-service on every grant). A request reserves its worst-case cost
 * before it is routed and settles to its actual cost when it ends, so concurrent requests can never
 * spend more than the balance. The key's own spend ({@link RedisKeys#keySpend}) is held against
 * its credit limit the same way. Each reservation is held under the request's generation id until it
 * is settled ({@link RedisKeys#creditHolds()}, {@code contracts.CreditHolds}), so settling applies once.
 * {@link Admission}'s scripts do all three.
 */
public final class Credit {

  /** Why a reservation was refused. */
  public enum Refusal { NO_BALANCE, INSUFFICIENT_CREDIT, KEY_LIMIT }

  /** A refusal, with what was available. */
  public record Verdict(Refusal refusal, long availableMicros) {

    /** From the admission script's verdict 3, 4 or 5 (see {@link Admission}). */
    static Verdict refused(long scriptVerdict, long availableMicros) {
      Refusal refusal = scriptVerdict == 3 ? Refusal.NO_BALANCE
          : scriptVerdict == 4 ? Refusal.INSUFFICIENT_CREDIT : Refusal.KEY_LIMIT;
      return new Verdict(refusal, availableMicros);
    }
  }

  private final RedisKeys keys;
  private final String holdsKey;

  public Credit(String keyPrefix) {
    this.keys = new RedisKeys(keyPrefix);
    this.holdsKey = keys.creditHolds();
  }

  String balanceKey(String customerId) {
    return keys.balance(customerId);
  }

  String keySpendKey(String keyId) {
    return keys.keySpend(keyId);
  }

  /** The one hash of every request's hold; named once, as every admission and settlement uses it. */
  String holdsKey() {
    return holdsKey;
  }
}
