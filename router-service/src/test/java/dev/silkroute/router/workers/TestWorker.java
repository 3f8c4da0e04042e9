package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.Worker;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.engine.GpuProfile;
import dev.silkroute.worker.heartbeat.Heartbeat;
import dev.silkroute.worker.heartbeat.WorkerStatusJson;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real worker-service {@link Worker} (simulated GPU, gRPC over Netty on a free port) beating into
 * the real Redis under a test's key prefix. Its heartbeat is run here rather than by the worker, so
 * that {@link #kill()} can stop it the way kill -9 does: no drain, no deregistration.
 */
final class TestWorker implements AutoCloseable {

  static final String MODEL = "qwen/qwen3-32b";

  /** A fast card so that tests are quick: 400 tokens/s per sequence, batch slows little. */
  static GpuProfile profile(String type, int maxBatch, long pricePerGpuHourMicros) {
    return new GpuProfile(type, 100_000, 400, 0.01, maxBatch, 1_000_000, pricePerGpuHourMicros);
  }

  final String id;
  final Worker worker;
  /** Generations that ended, by outcome (stop, length, error, cancelled). */
  final Map<String, AtomicInteger> ended = new ConcurrentHashMap<>();
  private final RedisClient redis;
  private final Heartbeat heartbeat;

  TestWorker(String prefix, GpuProfile gpu, Duration ttl) {
    this(prefix, gpu, ttl, List.of(MODEL));
  }

  /** Serving {@code models} instead of {@link #MODEL} (an embedding model, say). */
  TestWorker(String prefix, GpuProfile gpu, Duration ttl, List<String> models) {
    this.id = Infra.uniqueName("worker-" + gpu.gpuType().toLowerCase());
    int port = freePort();
    WorkerConfig config = new WorkerConfig(id, port, "127.0.0.1:" + port, models,
        WorkerConfig.EngineType.SIMULATED, gpu, gpu.maxBatch(), gpu.maxBatch(), 64, Duration.ofSeconds(10),
        Optional.empty(), new WorkerConfig.HeartbeatConfig(false, URI.create(Infra.redis().uri()), prefix,
        ttl.dividedBy(5), ttl, Duration.ofMillis(20)));
    DispatchObserver observer = new DispatchObserver() {
      @Override
      public void ended(String model, String outcome) {
        ended.computeIfAbsent(outcome, o -> new AtomicInteger()).incrementAndGet();
      }
    };
    ObjectMapper json = new ObjectMapper();
    this.worker = new Worker(config, Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create()),
        observer, Clock.systemUTC(), System::nanoTime, json);
    this.redis = RedisClient.create(Infra.redis().uri());
    // As Worker wires its own heartbeat when enabled.
    this.heartbeat = new Heartbeat(redis.connect(), new WorkerKeys(prefix), worker.statusReport(),
        new WorkerStatusJson(json), config.heartbeat().interval(), ttl, config.heartbeat().minSpacing(),
        System::nanoTime);
    worker.dispatcher().onChange(heartbeat::changed);
  }

  TestWorker start() {
    worker.start();
    heartbeat.start();
    return this;
  }

  int served() {
    return count("stop") + count("length");
  }

  int count(String outcome) {
    AtomicInteger n = ended.get(outcome);
    return n == null ? 0 : n.get();
  }

  /** As kill -9: the process is gone at once; its key stays until the TTL expires it. */
  void kill() {
    heartbeat.close();
    worker.close();
  }

  /** As SIGTERM: drain (running requests finish), then deregister. */
  void stop() {
    worker.stop();
    heartbeat.deregister();
  }

  @Override
  public void close() {
    heartbeat.close();
    worker.close();
    redis.shutdown();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
