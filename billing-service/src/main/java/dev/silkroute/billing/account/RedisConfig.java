package dev.silkroute.billing.account;

import dev.silkroute.billing.Settings.InvalidSettingException;
import dev.silkroute.contracts.RedisKeys;

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

  /** The names of the keys billing writes for the routers, under {@link #keyPrefix()}. */
  public RedisKeys keys() {
    return new RedisKeys(keyPrefix);
  }
}
