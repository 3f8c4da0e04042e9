package dev.silkroute.billing.account;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import javax.sql.DataSource;

/** Micronaut wiring for the account feature; Lettuce is used directly, not through a module. */
@Factory
final class AccountBeans {

  @Singleton
  @Bean(preDestroy = "shutdown")
  RedisClient redisClient(RedisConfig config) {
    return RedisClient.create(config.uri());
  }

  @Singleton
  @Bean(preDestroy = "close")
  StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
    return client.connect();
  }

  @Singleton
  RandomIds randomIds() {
    return new RandomIds(new SecureRandom());
  }

  @Singleton
  ApiKeyMirror apiKeyMirror(StatefulRedisConnection<String, String> redis, RedisConfig config) {
    return new ApiKeyMirror(redis, config);
  }

  @Singleton
  ApiKeys apiKeys(DataSource dataSource, ApiKeyMirror mirror, Clock clock, RandomIds ids) {
    return new ApiKeys(dataSource, mirror, clock, ids);
  }

  @Singleton
  Balances balances(StatefulRedisConnection<String, String> redis, RedisConfig config,
      DataSource dataSource) {
    return new Balances(redis, config, dataSource);
  }

  @Singleton
  Customers customers(DataSource dataSource, Clock clock, RandomIds ids, Balances balances) {
    return new Customers(dataSource, clock, ids, balances);
  }
}
