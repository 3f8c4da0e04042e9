package dev.silkroute.billing.account;

import dev.silkroute.billing.InvalidSettingException;
import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Where the router's hot copies live ({@code silkroute.redis.*}; env {@code SILKROUTE_REDIS_URI}), directly
 * or through Sentinels ({@code redis-sentinel://host:port[,host:port]#master}).
 *
 * @param keyPrefix prepended to every Redis key billing writes ({@code silkroute:} in production;
 *     tests use a unique prefix so that they can share one Redis)
 */
@Context // bound at start-up: a bad value stops it
@ConfigurationProperties("silkroute.redis")
public record RedisConfig(
    @Bindable(defaultValue = "redis://127.0.0.1:6379") String uri,
    @Bindable(defaultValue = RedisKeys.DEFAULT_PREFIX) String keyPrefix) {

  public RedisConfig {
    if (uri == null || !uri.startsWith("redis://") && !uri.startsWith("rediss://")
        && !(uri.startsWith("redis-sentinel://") && uri.contains("#"))) {
      throw new InvalidSettingException("silkroute.redis.uri", uri,
          "must start with redis:// or rediss://, or be redis-sentinel://host:port[,host:port]#master");
    }
    if (keyPrefix == null || keyPrefix.chars().anyMatch(Character::isWhitespace) || keyPrefix.contains("*")) {
      throw new InvalidSettingException("silkroute.redis.key-prefix", keyPrefix,
          "must not contain whitespace or '*'");
    }
  }

  /** The names of the keys billing writes for the routers, under {@link #keyPrefix()}. */
  public RedisKeys keys() {
    return new RedisKeys(keyPrefix);
  }
}
