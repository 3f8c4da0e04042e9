package dev.silkroute.router.generations;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.boot.LoopLocalRedis;
import dev.silkroute.router.config.RedisSettings;
import dev.silkroute.router.config.RouterSettings;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** Wires the generation log, which sees every usage event as a {@link dev.silkroute.router.usage.UsageObserver}. */
@Factory
final class GenerationBeans {

  @Singleton
  GenerationLog generationLog(StatefulRedisConnection<String, String> redis, LoopLocalRedis onLoops,
                              ObjectMapper json, RedisSettings redisSettings, RouterSettings settings) {
    return new GenerationLog(onLoops, redis.sync(), json, redisSettings.keyPrefix(),
        settings.generationRetention());
  }
}
