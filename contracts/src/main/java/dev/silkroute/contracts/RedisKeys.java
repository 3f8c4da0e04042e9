package dev.silkroute.contracts;

import java.time.Instant;
import java.util.Objects;

/**
 * The Redis names of customers' money and keys, all under one prefix ({@value #DEFAULT_PREFIX} in
 * production; tests use a unique prefix so that they can share one Redis). billing-service writes the
 * API key hashes and credits the balances from PostgreSQL; router-service reads the keys, reserves and
 * settles against the balances and key spend, and counts the rate limits.
 */
public record RedisKeys(String prefix) {

  public static final String DEFAULT_PREFIX = "silkroute:";

  /** The message on {@link #apiKeyChanges()} that means every key may have changed (after a rebuild). */
  public static final String EVERY_API_KEY = "*";

  public RedisKeys {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** HASH of one API key ({@link ApiKeyRecord}), named by the SHA-256 hex of the key ({@link ApiKeyHash}). */
  public String apiKey(String sha256Hex) {
    return prefix + "apikey:" + sha256Hex;
  }

  /** SCAN pattern that matches every {@link #apiKey} hash. */
  public String apiKeyPattern() {
    return apiKey("*");
  }

  /**
   * Pub/sub channel on which billing announces every change of an API key's hash; message = the key's
   * SHA-256 hex, or {@link #EVERY_API_KEY}. Routers evict the key from their caches.
   */
  public String apiKeyChanges() {
    return prefix + "apikey-changed";
  }

  /** STRING: micro-USD the customer may still spend; billing credits it, routers reserve and settle against it. */
  public String balance(String customerId) {
    return prefix + "balance:" + customerId;
  }

  /**
   * STRING: micro-USD ever granted to the customer; billing moves it with the {@link #balance} in one
   * script, so routers answer OpenRouter's {@code /credits} (total granted; used = granted - balance).
   */
  public String creditGranted(String customerId) {
    return prefix + "credit_granted:" + customerId;
  }

  /** STRING: micro-USD spent through one key, held against its {@link KeyLimits#creditLimitMicros()}; router-maintained. */
  public String keySpend(String keyId) {
    return prefix + "keyspend:" + keyId;
  }

  /**
   * HASH of the credit each admitted request holds until it is settled, field = its generation id
   * ({@link CreditHolds} has the record and the scripts that settle and release it).
   */
  public String creditHolds() {
    return prefix + "credit_holds";
  }

  /** STRING counter: requests through one key in the minute that contains {@code at}. */
  public String requestsInMinute(String keyId, Instant at) {
    return prefix + "rl:req:" + keyId + ":" + minute(at);
  }

  /** STRING counter: tokens through one key in the minute that contains {@code at}. */
  public String tokensInMinute(String keyId, Instant at) {
    return prefix + "rl:tok:" + keyId + ":" + minute(at);
  }

  // Minutes since the epoch: every router agrees on the window without talking to the others.
  private static long minute(Instant at) {
    return at.getEpochSecond() / 60;
  }
}
