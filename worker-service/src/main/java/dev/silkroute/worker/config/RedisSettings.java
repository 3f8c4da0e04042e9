package dev.silkroute.worker.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;

/**
 * Redis, where the heartbeat goes ({@code silkroute.redis.uri}, env {@code SILKROUTE_REDIS_URI}):
 * {@code redis://host:port}, or through Sentinels {@code redis-sentinel://host:port[,host:port]#master}.
 */
@ConfigurationProperties("silkroute.redis")
public record RedisSettings(
    @Bindable(defaultValue = "redis://127.0.0.1:6379") URI uri) {

  public RedisSettings {
    boolean sentinel = uri != null && "redis-sentinel".equals(uri.getScheme());
    if (uri == null || uri.getScheme() == null || !uri.getScheme().startsWith("redis")
        || (sentinel ? uri.getRawAuthority() == null || uri.getFragment() == null : uri.getHost() == null)) {
      throw new WorkerConfigs.ConfigException("silkroute.redis.uri must be a redis:// URI with a host, or"
          + " redis-sentinel://host:port[,host:port]#master, was '" + uri + "'");
    }
  }
}
