package dev.silkroute.router.account;

import dev.silkroute.router.config.RedisSettings;
import dev.silkroute.router.limits.Credit;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Wires {@link Standing} to the router's Redis connection and key names. */
@Factory
final class AccountBeans {

  @Singleton
  Standing standing(StatefulRedisConnection<String, String> redis, RedisSettings settings) {
    return new Standing(redis.async(), new Credit(settings.keyPrefix()));
  }
}
