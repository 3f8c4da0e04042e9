package dev.silkroute.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.worker.config.ConfigReader;
import dev.silkroute.worker.config.WorkerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.core.type.Argument;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;

/** Micronaut wiring: reads the configuration once, then starts the plain-Java {@link Worker} with the context. */
@Requires(property = WorkerApplication.ENABLED, value = "true")
@Factory
final class WorkerFactory {

  @Singleton
  WorkerConfig workerConfig(Environment environment) {
    return new ConfigReader(name -> property(environment, name)).read();
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

  private static Optional<String> property(Environment environment, String name) {
    if (name.equals(ConfigReader.PREFIX + "models")) {
      // A YAML list and a comma-separated env var (SILKROUTE_WORKER_MODELS) both arrive as a list.
      return environment.getProperty(name, Argument.listOf(String.class)).map(l -> String.join(",", l));
    }
    return environment.getProperty(name, String.class);
  }

}
