package dev.silkroute.router.auth;

import dev.silkroute.router.limits.KeyLimits;
import io.lettuce.core.api.sync.RedisHashCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Looks API keys up in Redis by their SHA-256, as billing-service mirrors them from PostgreSQL into
 * {@code <prefix>apikey:<sha256hex>} hashes. The key itself is never stored, logged or sent anywhere.
 */
public final class ApiKeys {

  private final RedisHashCommands<String, String> redis;
  private final String keyPrefix;

  public ApiKeys(RedisHashCommands<String, String> redis, String keyPrefix) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
  }

  /** The caller the bearer token belongs to, if it is an active key. */
  public Optional<Caller> authenticate(String bearerToken) {
    if (bearerToken == null || !bearerToken.startsWith("sk-") || bearerToken.length() > 200) {
      return Optional.empty();
    }
    Map<String, String> entry = redis.hgetall(keyPrefix + "apikey:" + sha256Hex(bearerToken));
    if (entry == null || !"active".equals(entry.get("status")) || entry.get("customer_id") == null) {
      return Optional.empty();
    }
    return Optional.of(new Caller(entry.get("customer_id"), entry.getOrDefault("key_id", ""),
        KeyLimits.fromRedisHash(entry)));
  }

  public static String sha256Hex(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
