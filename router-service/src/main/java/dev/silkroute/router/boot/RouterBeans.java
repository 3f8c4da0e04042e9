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
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.OpenAiCompatibleAdapter;
import dev.silkroute.router.provider.ProtocolAdapter;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.RoutingSettings;
import dev.silkroute.router.usage.UsageJournal;
import dev.silkroute.router.usage.UsageObserver;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.usage.UsageSpool;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Prototype;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

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
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    config.put(ProducerConfig.CLIENT_ID_CONFIG, "silkroute-router-" + instance(settings));
    // Usage is money: every event is written to all in-sync replicas, exactly once per send.
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Events wait up to 20 ms to share a batch: billing reads them seconds later anyway, and a
    // produce request per few ms costs the router more CPU than the rest of a request's bookkeeping.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // No client telemetry pushed to the broker (KIP-714): nobody reads it, and it is polled on every send loop.
    config.put(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
    // A request thread never waits long for a missing broker: the event goes to the spool instead.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
        new ByteArraySerializer());
    // Each event is journaled beside the spool until Kafka acknowledged it, so that a router killed -9
    // loses no event of an answer it gave; segments of 2 s or 10,000 events keep the journal small.
    UsageJournal journal = new UsageJournal(settings.spoolFile(), 10_000, Duration.ofSeconds(2).toNanos(),
        System::nanoTime);
    UsagePublisher publisher = new UsagePublisher(producer, kafka.usageTopic(),
        new UsageSpool(settings.spoolFile(), settings.spoolMaxBytes()), observers, journal);
    publisher.replaySpool();
    return publisher;
  }

  @Singleton
  HttpClient upstreamHttp() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        // Answers are handled on the client's selector thread, where they arrive: nothing there
        // blocks (bodies are parsed as they come, Redis and Kafka calls are asynchronous), and the
        // default executor, a cached pool, cost a thread hand-off per read and kept dozens of threads.
        .executor(Runnable::run)
        .build();
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
  ProtocolAdapter openAiAdapter(HttpClient http, ObjectMapper json, RouterSettings settings) {
    return new ProtocolAdapter(Endpoint.Protocol.OPENAI,
        new OpenAiCompatibleAdapter(http, json, settings.firstByteTimeout()));
  }

  @Singleton
  Admission admission(StatefulRedisConnection<String, String> redis, RedisSettings settings) {
    return new Admission(redis, settings.keyPrefix(), Clock.systemUTC());
  }

  /**
   * Adapters without a non-blocking client (Anthropic, workers) wait for a non-streamed answer on
   * Micronaut's blocking pool, which bounds them as it bounded every request before.
   */
  @Singleton
  ChatRouter chatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters,
                        Admission admission, UsagePublisher usage, ObjectMapper json, RouterSettings settings,
                        RoutingSettings routing, @Named("streams") ExecutorService streams) {
    return new ChatRouter(order, sources, adapters, admission, usage, json, Clock.systemUTC(), System::nanoTime,
        instance(settings), streams, new Deadlines(routing.timeouts(settings.firstByteTimeout()), order::stats));
  }

  /**
   * Threads for the upstreams read by blocking calls (Anthropic, workers), one per call or open
   * stream, so the pool is unbounded but idle-reaped; also where a client's cancel is handled, off
   * the event loop. OpenAI-compatible calls and streams need no thread of their own.
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

  static String instance(RouterSettings settings) {
    if (!settings.instance().isBlank()) {
      return settings.instance();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "router";
    }
  }
}
