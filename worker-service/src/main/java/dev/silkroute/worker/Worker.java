package dev.silkroute.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.dispatch.Dispatcher;
import dev.silkroute.worker.dispatch.GpuPrice;
import dev.silkroute.worker.engine.Engine;
import dev.silkroute.worker.engine.OpenAiCompatibleEngine;
import dev.silkroute.worker.engine.RealTimeGpuLoop;
import dev.silkroute.worker.engine.SimulatedGpu;
import dev.silkroute.worker.grpc.WorkerGrpcServer;
import dev.silkroute.worker.grpc.WorkerGrpcService;
import dev.silkroute.worker.grpc.WorkerIdentity;
import dev.silkroute.worker.grpc.WorkerStatusReport;
import dev.silkroute.worker.heartbeat.Heartbeat;
import dev.silkroute.worker.heartbeat.WorkerStatusJson;
import io.grpc.ServerBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker, assembled from its configuration: engine, dispatcher, gRPC server and heartbeat.
 * Plain Java, so that tests can run the whole thing without Micronaut. {@link #stop()} is the
 * graceful path: stop admitting, let running requests finish (bounded), deregister, close.
 */
public final class Worker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

  private final WorkerConfig config;
  private final Engine engine;
  private final Optional<RealTimeGpuLoop> gpuLoop;
  private final Dispatcher dispatcher;
  private final WorkerStatusReport statusReport;
  private final WorkerGrpcServer grpcServer;
  private final Optional<RedisClient> redisClient;
  private final Optional<Heartbeat> heartbeat;

  public Worker(WorkerConfig config, ServerBuilder<?> serverBuilder, DispatchObserver observer, Clock clock,
      LongSupplier nanoTime, ObjectMapper json) {
    this.config = config;
    if (config.engine() == WorkerConfig.EngineType.SIMULATED) {
      SimulatedGpu gpu = new SimulatedGpu(config.gpu());
      this.engine = gpu;
      this.gpuLoop = Optional.of(new RealTimeGpuLoop(gpu, nanoTime));
    } else {
      WorkerConfig.OpenAiCompatible upstream = config.openAiCompatible().orElseThrow();
      HttpClient http = HttpClient.newBuilder().connectTimeout(upstream.timeout()).build();
      this.engine = new OpenAiCompatibleEngine(upstream.baseUrl(), upstream.apiKey(), upstream.timeout(), http, json, nanoTime);
      this.gpuLoop = Optional.empty();
    }
    this.dispatcher = new Dispatcher(engine, new HashSet<>(config.models()), config.maxRunning(), config.maxQueued(),
        new GpuPrice(config.gpu().pricePerGpuHourMicros()), nanoTime, observer);
    WorkerIdentity identity = new WorkerIdentity(config.workerId(), config.advertisedAddress(), config.models(),
        config.gpu().gpuType(), config.gpu().pricePerGpuHourMicros());
    this.statusReport = new WorkerStatusReport(identity, dispatcher, clock);
    this.grpcServer = new WorkerGrpcServer(serverBuilder,
        new WorkerGrpcService(dispatcher, statusReport, config.defaultMaxTokens(), nanoTime));
    WorkerConfig.HeartbeatConfig hb = config.heartbeat();
    if (hb.enabled()) {
      RedisClient client = RedisClient.create(RedisURI.create(hb.redisUri()));
      StatefulRedisConnection<String, String> connection = client.connect();
      // A heartbeat that waits a minute for Redis is worse than one that misses a beat.
      connection.setTimeout(Duration.ofSeconds(1));
      Heartbeat beat = new Heartbeat(connection, new WorkerKeys(hb.keyPrefix()), statusReport,
          new WorkerStatusJson(json), hb.interval(), hb.ttl(), hb.minSpacing(), nanoTime);
      dispatcher.onChange(beat::changed);
      this.redisClient = Optional.of(client);
      this.heartbeat = Optional.of(beat);
    } else {
      this.redisClient = Optional.empty();
      this.heartbeat = Optional.empty();
    }
  }

  public Worker start() {
    gpuLoop.ifPresent(RealTimeGpuLoop::start);
    grpcServer.start();
    heartbeat.ifPresent(Heartbeat::start);
    LOG.info("worker {} serving {} on gRPC port {} ({} engine, {})", config.workerId(), config.models(),
        grpcServer.port(), config.engine().configName(), config.gpu().gpuType());
    return this;
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  public WorkerStatusReport statusReport() {
    return statusReport;
  }

  public WorkerGrpcServer grpcServer() {
    return grpcServer;
  }

  public WorkerConfig config() {
    return config;
  }

  /** Serving: the gRPC server is up and the worker is not draining. */
  public boolean healthy() {
    return grpcServer.serving() && !dispatcher.draining();
  }

  /** Drains (bounded by the configured drain timeout), deregisters, then closes everything. */
  public void stop() {
    try {
      dispatcher.drain().get(config.drainTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.warn("drain timed out after {}; {} requests are cut off", config.drainTimeout(), dispatcher.load().running());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("drain cannot fail", e);
    }
    close();
  }

  /** Stops at once: running requests are cut off. Deregisters, then closes everything. */
  @Override
  public void close() {
    heartbeat.ifPresent(Heartbeat::deregister);
    grpcServer.close();
    gpuLoop.ifPresent(RealTimeGpuLoop::close);
    engine.close();
    redisClient.ifPresent(RedisClient::shutdown);
  }
}
