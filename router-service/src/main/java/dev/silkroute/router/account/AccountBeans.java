package dev.silkroute.router.account;

import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.config.RedisSettings;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires {@link Standing} and {@link KeyUsagePeriods} to the router's Redis connection and key names. */
@Factory
final class AccountBeans {

  @Singleton
  Standing standing(StatefulRedisConnection<String, String> redis, RedisSettings settings) {
    return new Standing(redis.async(), new RedisKeys(settings.keyPrefix()));
  }

  /** Also a usage observer: it counts every published charge into its key's periods. */
  @Singleton
  KeyUsagePeriods keyUsagePeriods(StatefulRedisConnection<String, String> redis, RedisSettings settings) {
    return new KeyUsagePeriods(redis.async(), settings.keyPrefix(), Clock.systemUTC());
  }
}
