package dev.silkroute.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.worker.config.HeartbeatSettings;
import dev.silkroute.worker.config.OpenAiCompatibleSettings;
import dev.silkroute.worker.config.RedisSettings;
import dev.silkroute.worker.config.SimulatedGpuSettings;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.config.WorkerConfigs;
import dev.silkroute.worker.config.WorkerSettings;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Micronaut wiring: reads the configuration once, then starts the plain-Java {@link Worker} with the context. */
@Requires(property = WorkerApplication.ENABLED, value = "true")
@Factory
final class WorkerFactory {

  @Singleton
  WorkerConfig workerConfig(WorkerSettings worker, SimulatedGpuSettings simulated, HeartbeatSettings heartbeat,
                            OpenAiCompatibleSettings openAi, RedisSettings redis) {
    return WorkerConfigs.of(worker, simulated, heartbeat, openAi, redis);
  }

  /** Started with the context (so a bad config or a taken port fails start-up), drained when it closes. */
  @Context
  @Bean(preDestroy = "stop")
  Worker worker(WorkerConfig config, WorkerMetrics metrics) {
    Worker worker = new Worker(config,
        Grpc.newServerBuilderForPort(config.grpcPort(), InsecureServerCredentials.create()),
        metrics, Clock.systemUTC(), System::nanoTime, new ObjectMapper());
    metrics.bind(worker.dispatcher());
    return worker.start();
  }
}
