package dev.silkroute.router.config;

import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Redis ({@code silkroute.redis.*}; env {@code SILKROUTE_REDIS_URI}).
 *
 * @param uri       e.g. redis://127.0.0.1:6379, or through Sentinels redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster
 *                  (Lettuce asks them where the master is)
 * @param keyPrefix prefix of every key Silkroute reads or writes (tests use their own)
 */
@ConfigurationProperties("silkroute.redis")
public record RedisSettings(
    @Bindable(defaultValue = "redis://127.0.0.1:6379") String uri,
    @Bindable(defaultValue = RedisKeys.DEFAULT_PREFIX) String keyPrefix) {

  public RedisSettings {
    if (uri == null || !uri.startsWith("redis") || uri.startsWith("redis-sentinel:") && !uri.contains("#")) {
      throw new IllegalArgumentException("silkroute.redis.uri must be a redis:// URI, or"
          + " redis-sentinel://host:port[,host:port]#master, got " + uri);
    }
    if (keyPrefix == null || keyPrefix.chars().anyMatch(Character::isWhitespace) || keyPrefix.contains("*")) {
      throw new IllegalArgumentException("silkroute.redis.key-prefix must not contain whitespace or '*', got '"
          + keyPrefix + "'");
    }
  }
}
