package dev.silkroute.router.config;

import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Redis ({@code silkroute.redis.*}; env {@code SILKROUTE_REDIS_URI}).
 *
 * @param uri       e.g. redis://127.0.0.1:6379
 * @param keyPrefix prefix of every key Silkroute reads or writes (tests use their own)
 */
@ConfigurationProperties("silkroute.redis")
public record RedisSettings(
    @Bindable(defaultValue = "redis://127.0.0.1:6379") String uri,
    @Bindable(defaultValue = RedisKeys.DEFAULT_PREFIX) String keyPrefix) {

  public RedisSettings {
    if (uri == null || !uri.startsWith("redis")) {
      throw new IllegalArgumentException("silkroute.redis.uri must be a redis:// URI, got " + uri);
    }
    if (keyPrefix == null || keyPrefix.chars().anyMatch(Character::isWhitespace) || keyPrefix.contains("*")) {
      throw new IllegalArgumentException("silkroute.redis.key-prefix must not contain whitespace or '*', got '"
          + keyPrefix + "'");
    }
  }
}
