package dev.silkroute.router.boot;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.auth.ApiKeyChanges;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.CatalogHolder;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.chat.Deadlines;
import dev.silkroute.router.config.KafkaSettings;
import dev.silkroute.router.config.RedisSettings;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.hedge.HedgePolicy;
import dev.silkroute.router.hedge.HedgeSettings;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.limits.CreditHoldReaper;
import dev.silkroute.router.provider.OpenAiCompatibleAdapter;
import dev.silkroute.router.provider.ProtocolAdapter;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamHttpSettings;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.RoutingSettings;
import dev.silkroute.router.usage.UsageJournal;
import dev.silkroute.router.usage.UsageObserver;
import dev.silkroute.router.usage.UsageProducer;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.usage.UsageSpool;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.http.netty.channel.EventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.micronaut.http.netty.channel.NettyChannelType;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;

/** Wires the plain-Java core to its settings, Redis, Kafka and the upstream HTTP client. */
@Factory
final class RouterBeans {

  /** API keys kept in memory at most; a few hundred bytes each. */
  private static final long KEY_CACHE_SIZE = 100_000;

  /** The catalog in force now; it reloads when deploy/catalog.yaml changes, so inject a Provider of it. */
  @Prototype
  Catalog catalog(CatalogHolder holder) {
    return holder.get();
  }

  @Singleton
  @Bean(preDestroy = "shutdown")
  RedisClient redisClient(RedisSettings settings) {
    return RedisClient.create(settings.uri());
  }

  @Singleton
  @Bean(preDestroy = "close")
  StatefulRedisConnection<String, String> redis(RedisClient client) {
    return client.connect();
  }

  @Singleton
  ApiKeys apiKeys(StatefulRedisConnection<String, String> redis, RedisSettings settings, RouterSettings router) {
    return new ApiKeys(redis.async(), settings.keyPrefix(), router.keyCacheTtl(), KEY_CACHE_SIZE);
  }

  /** Created with the router, so that the key cache hears billing's changes from the first request on. */
  @Context
  @Bean(preDestroy = "close")
  ApiKeyChanges apiKeyChanges(RedisClient client, RedisSettings settings, ApiKeys keys) {
    return ApiKeyChanges.subscribe(client, settings.keyPrefix(), keys);
  }

  @Singleton
  ChatRequestParser chatRequestParser(ObjectMapper json) {
    return new ChatRequestParser(json);
  }

  @Singleton
  @Bean(preDestroy = "close")
  UsagePublisher usagePublisher(KafkaSettings kafka, RouterSettings settings, List<UsageObserver> observers) {
    Producer<String, byte[]> producer = UsageProducer.create(kafka.bootstrapServers(),
        "silkroute-router-" + settings.instanceName());
    // Each event is journaled beside the spool until Kafka acknowledged it, so that a router killed -9
    // loses no event of an answer it gave; segments of 2 s or 10,000 events keep the journal small.
    UsageJournal journal = new UsageJournal(settings.spoolFile(), 10_000, Duration.ofSeconds(2).toNanos(),
        System::nanoTime);
    // Its thread first replays what an earlier run left in the spool (and the journal, moved there).
    return new UsagePublisher(producer, kafka.usageTopic(),
        new UsageSpool(settings.spoolFile(), settings.spoolMaxBytes()), observers, settings.usageQueueCapacity(),
        journal);
  }

  /**
   * The one HTTP transport to upstreams, on the HTTP server's own event loops: an upstream call made
   * on a request's loop stays on it, connection and answer included.
   */
  @Singleton
  @Bean(preDestroy = "close")
  HttpTransport upstreamTransport(EventLoopGroupRegistry loops, EventLoopGroupFactory loopFactory,
                                  UpstreamHttpSettings settings) {
    EventLoopGroupConfiguration configuration = loops.getEventLoopGroupConfiguration(
        EventLoopGroupConfiguration.DEFAULT).orElse(null);
    return new HttpTransport(loops.getDefaultEventLoopGroup(),
        loopFactory.channelClass(NettyChannelType.CLIENT_SOCKET, configuration), settings);
  }

  /** The adapters, one per protocol; each feature contributes its own {@link ProtocolAdapter} bean. */
  @Singleton
  ProviderAdapters providerAdapters(List<ProtocolAdapter> adapters) {
    Map<Endpoint.Protocol, ProviderAdapter> byProtocol = new EnumMap<>(Endpoint.Protocol.class);
    for (ProtocolAdapter adapter : adapters) {
      if (byProtocol.put(adapter.protocol(), adapter.adapter()) != null) {
        throw new IllegalStateException("two adapters for protocol " + adapter.protocol());
      }
    }
    return new ProviderAdapters(byProtocol);
  }

  @Singleton
  ProtocolAdapter openAiAdapter(HttpTransport transport, ObjectMapper json, RouterSettings settings) {
    return new ProtocolAdapter(Endpoint.Protocol.OPENAI,
        new OpenAiCompatibleAdapter(transport, json, settings.firstByteTimeout()));
  }

  /** Redis connections on the HTTP server's own event loops, for the scripts every request runs. */
  @Singleton
  @Bean(preDestroy = "close")
  LoopLocalRedis loopLocalRedis(EventLoopGroupRegistry loops, RedisSettings settings,
                                StatefulRedisConnection<String, String> redis) {
    return LoopLocalRedis.connect(loops.getDefaultEventLoopGroup(), RedisURI.create(settings.uri()), redis);
  }

  @Singleton
  Admission admission(StatefulRedisConnection<String, String> redis, LoopLocalRedis onLoops, RedisSettings settings,
                      RouterSettings router) {
    return new Admission(redis, onLoops, settings.keyPrefix(), Clock.systemUTC(), router.creditHoldFor());
  }

  @Singleton
  CreditHoldReaper creditHoldReaper(StatefulRedisConnection<String, String> redis, RedisSettings settings) {
    return new CreditHoldReaper(redis, settings.keyPrefix(), Clock.systemUTC());
  }

  @Singleton
  ChatRouter chatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters,
                        Admission admission, UsagePublisher usage, ObjectMapper json, RouterSettings settings,
                        RoutingSettings routing, HedgeSettings hedge) {
    return new ChatRouter(order, sources, adapters, admission, usage, json, Clock.systemUTC(), System::nanoTime,
        settings.instanceName(), new Deadlines(routing.timeouts(settings.firstByteTimeout()), order::stats),
        new HedgePolicy(hedge, System::nanoTime));
  }

  /**
   * Where a streaming client's cancel is handled, off the event loop that notices it (cancelling
   * settles the request). Adapters are asynchronous and need no thread of their own.
   */
  @Singleton
  @Named("streams")
  @Bean(preDestroy = "shutdownNow")
  ExecutorService streams() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "stream-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }
}
