package dev.silkroute.billing.account;

import dev.silkroute.billing.Settings.InvalidSettingException;

/**
 * Where the router's hot copies live.
 *
 * @param keyPrefix prepended to every Redis key billing writes ({@code silkroute:} in production;
 *     tests use a unique prefix so that they can share one Redis)
 */
public record RedisConfig(String uri, String keyPrefix) {

  public RedisConfig {
    if (!uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
      throw new InvalidSettingException("silkroute.redis.uri", uri,
          "must start with redis:// or rediss://");
    }
    if (keyPrefix.chars().anyMatch(Character::isWhitespace) || keyPrefix.contains("*")) {
      throw new InvalidSettingException("silkroute.redis.key-prefix", keyPrefix,
          "must not contain whitespace or '*'");
    }
  }

  /** Redis HASH of one API key, by the SHA-256 hex of the whole key string. */
  public String apiKey(String sha256Hex) {
    return keyPrefix + "apikey:" + sha256Hex;
  }

  /** Pub/sub channel on which every change of an API key's hash is announced to the routers. */
  public String apiKeyChanges() {
    return keyPrefix + "apikey-changed";
  }

  /** STRING: micro-USD the customer may still spend; the router reserves and settles against it. */
  public String balance(String customerId) {
    return keyPrefix + "balance:" + customerId;
  }

  /**
   * STRING: micro-USD ever granted to the customer, moved with the balance in one script, so the
   * router can answer OpenRouter's {@code /credits} (total granted, total used = granted - balance).
   */
  public String creditGranted(String customerId) {
    return keyPrefix + "credit_granted:" + customerId;
  }

  /** STRING: micro-USD spent through one key, against its credit_limit_micros; router-maintained. */
  public String keySpend(String keyId) {
    return keyPrefix + "keyspend:" + keyId;
  }

  String apiKeyPattern() {
    return keyPrefix + "apikey:*";
  }
}
