package dev.silkroute.worker.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;

/** Redis, where the heartbeat goes ({@code silkroute.redis.uri}, env {@code SILKROUTE_REDIS_URI}). */
@ConfigurationProperties("silkroute.redis")
public record RedisSettings(
    @Bindable(defaultValue = "redis://127.0.0.1:6379") URI uri) {

  public RedisSettings {
    if (uri == null || uri.getScheme() == null || !uri.getScheme().startsWith("redis") || uri.getHost() == null) {
      throw new WorkerConfigs.ConfigException("silkroute.redis.uri must be a redis:// URI with a host, was '" + uri + "'");
    }
  }
}
