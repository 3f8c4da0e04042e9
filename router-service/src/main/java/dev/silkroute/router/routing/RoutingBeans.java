package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.CatalogHolder;
import dev.silkroute.router.catalog.CatalogLoader;
import dev.silkroute.router.config.RedisSettings;
import dev.silkroute.router.config.RouterSettings;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Wires the routing core: the reloading catalog, endpoint statistics in Redis, per-endpoint guards,
 * sticky sessions and the {@link MarketOrder} that plans every request.
 */
@Factory
final class RoutingBeans {

  @Singleton
  @Bean(preDestroy = "close")
  CatalogHolder catalogHolder(RouterSettings router, RoutingSettings routing) {
    return new CatalogHolder(router.catalog(), new CatalogLoader(System::getenv)).watch(routing.catalogPoll());
  }

  @Singleton
  @Bean(preDestroy = "close")
  TrafficStats trafficStats(StatefulRedisConnection<String, String> redis, RedisSettings redisSettings,
                            RoutingSettings routing) {
    StatsBuckets buckets = new RedisStatsBuckets(redis, redisSettings.keyPrefix() + "stats:", Duration.ofSeconds(2));
    return new TrafficStats(buckets, Clock.systemUTC()).refreshEvery(routing.statsRefresh());
  }

  @Singleton
  EndpointBoard endpointBoard(TrafficStats stats, RoutingSettings routing) {
    return new EndpointBoard(routing.guards(), stats, Clock.systemUTC());
  }

  @Singleton
  StickySessions stickySessions(RoutingSettings routing) {
    return new StickySessions(Clock.systemUTC(), routing.sessionIdle());
  }

  /** Also a usage observer: every served generation's tokens go into its endpoint's shared statistics. */
  @Singleton
  TokenMix tokenMix(TrafficStats stats) {
    return new TokenMix(stats);
  }

  @Singleton
  MarketOrder marketOrder(EndpointBoard board, StickySessions sessions, CatalogHolder catalog,
                          RoutingSettings routing, java.util.Optional<PrefixHolders> holders) {
    return new MarketOrder(board, sessions, catalog, () -> ThreadLocalRandom.current().nextDouble(),
        System::nanoTime, routing.rules(), holders.orElse(PrefixHolders.NONE));
  }
}
