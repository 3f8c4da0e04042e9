package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.router.catalog.CatalogHolder;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.config.RedisSettings;
import dev.silkroute.router.embeddings.EmbeddingCaller;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.provider.ProtocolAdapter;
import dev.silkroute.router.routing.EndpointSource;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import dev.silkroute.router.routing.PrefixHolders;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;

/** Wires the workers feature: registry (started with the context), endpoint source and WORKER adapter. */
@Factory
@Requires(property = "silkroute.workers.enabled", notEquals = "false")
final class WorkerBeans {

  /** Started with the context, so that workers are known before the first request. */
  @Context
  @Bean(preDestroy = "close")
  WorkerRegistry workerRegistry(RedisClient redis, RedisSettings redisSettings, WorkerSettings settings) {
    return new WorkerRegistry(redis, new WorkerKeys(redisSettings.keyPrefix()), new WorkerReports(),
        settings.resyncInterval(),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
  }

  /**
   * Named after this router instance ({@link RouterSettings#chargeOwner}); what an earlier run of a
   * named instance left is released before it serves.
   */
  @Context
  InflightCharges inflightCharges(StatefulRedisConnection<String, String> redis, RedisSettings redisSettings,
                                  WorkerSettings settings, RouterSettings router) {
    InflightCharges charges = new InflightCharges(redis, new WorkerKeys(redisSettings.keyPrefix()),
        settings.chargeLease(), Clock.systemUTC(), router.chargeOwner());
    charges.releaseEarlierCharges();
    return charges;
  }

  @Singleton
  EndpointSource workerEndpoints(WorkerRegistry registry, InflightCharges charges, CatalogHolder catalog,
                                 WorkerSettings settings) {
    return new WorkerEndpoints(registry, charges,
        new WorkerPricing(settings.marginPercent(), settings.defaultTokensPerSecond(), settings.prefillSpeedup()),
        modelId -> catalog.get().workerPool(modelId), settings.maxPredictedTtft(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Which worker's prefix cache holds which prompt prefixes, for routing's prefix affinity. */
  @Singleton
  PrefixHolders workerPrefixes(WorkerRegistry registry) {
    return new WorkerPrefixes(registry::worker);
  }

  /** Embeddings for embedding models served by workers, beside the chat adapter. */
  @Singleton
  EmbeddingCaller workerEmbeddings(WorkerRegistry registry, InflightCharges charges, ObjectMapper json) {
    return new WorkerEmbeddings(registry::worker, charges, json);
  }

  @Singleton
  ProtocolAdapter workerAdapter(WorkerRegistry registry, InflightCharges charges, ObjectMapper json,
                                RouterSettings router, WorkerSettings settings) {
    return new ProtocolAdapter(Endpoint.Protocol.WORKER, new WorkerAdapter(registry::worker, charges, json,
        router.firstByteTimeout(), settings.requestTimeout(), Clock.systemUTC()));
  }
}
