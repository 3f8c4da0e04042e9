package dev.silkroute.router.limits;

/**
 * Credit reservations against the customer's balance in Redis ({@code <prefix>balance:<customer>},
 * micro-USD, credited by billing-service on every grant). A request reserves its worst-case cost
 * before it is routed and settles to its actual cost when it ends, so concurrent requests can never
 * spend more than the balance. The key's own spend ({@code <prefix>keyspend:<key>}) is held against
 * its credit limit the same way. {@link Admission}'s scripts do both. Billing also keeps the total
 * ever granted ({@code <prefix>credit_granted:<customer>}), moved with the balance on every grant.
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

  private final String keyPrefix;

  public Credit(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  /** STRING, micro-USD the customer may still spend (reservations in flight already taken off). */
  public String balanceKey(String customerId) {
    return keyPrefix + "balance:" + customerId;
  }

  /** STRING, micro-USD spent through the key (reservations in flight included), against its credit limit. */
  public String keySpendKey(String keyId) {
    return keyPrefix + "keyspend:" + keyId;
  }

  /** STRING, micro-USD ever granted to the customer; written by billing only. */
  public String creditGrantedKey(String customerId) {
    return keyPrefix + "credit_granted:" + customerId;
  }
}
