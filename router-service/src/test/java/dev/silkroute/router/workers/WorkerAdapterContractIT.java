package dev.silkroute.router.workers;

import static org.awaitility.Awaitility.await;

import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.ProviderAdapterContract;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.engine.GpuProfile;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The adapter contract for the worker dialect: {@link WorkerAdapter} on grpc-java's async stub,
 * against a real worker over Netty, its registry and charges in real Redis.
 */
class WorkerAdapterContractIT extends ProviderAdapterContract {

  private static final Model MODEL = new Model(TestWorker.MODEL, "Qwen3 32B", 32_768, List.of());
  /** 20 tokens per second: a stream can be cancelled well before it ends. */
  private static final GpuProfile SLOW = new GpuProfile("L4", 100_000, 20, 0.01, 8, 1_000_000, 3_600_000_000L);
  private static final GpuProfile FAST = TestWorker.profile("H100", 8, 3_600_000_000L);

  private final String prefix = Infra.uniqueName("silkroute-test:worker-contract:");
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private WorkerRegistry registry;
  private WorkerEndpoints endpoints;
  private TestWorker worker;
  private boolean slowed;

  @BeforeAll
  void startWorker() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    registry = new WorkerRegistry(redis, new WorkerKeys(prefix), new WorkerReports(), Duration.ofMillis(250),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
    InflightCharges charges = new InflightCharges(connection, new WorkerKeys(prefix), Duration.ofMinutes(1),
        Clock.systemUTC());
    endpoints = new WorkerEndpoints(registry, charges, new WorkerPricing(20, 1_000, 10), model -> Optional.empty(),
        Duration.ofSeconds(30), Math::random);
    adapter = new WorkerAdapter(registry::worker, charges, JSON, Duration.ofSeconds(5), Duration.ofSeconds(30),
        Clock.systemUTC());
    startWorker(FAST);
  }

  private void startWorker(GpuProfile gpu) {
    if (worker != null) {
      worker.stop();
      worker.close();
    }
    worker = new TestWorker(prefix, gpu, Duration.ofSeconds(5)).start();
    String id = worker.id;
    await().atMost(Duration.ofSeconds(10)).until(() -> endpoints.endpoints(MODEL).size() == 1
        && endpoints.endpoints(MODEL).get(0).id().contains(id));
  }

  @AfterEach
  void fastAgain() {
    if (slowed) {
      slowed = false;
      startWorker(FAST);
    }
  }

  @AfterAll
  void stopWorker() {
    worker.close();
    registry.close();
    connection.close();
    redis.shutdown();
  }

  @Override
  protected Endpoint endpoint() {
    return endpoints.endpoints(MODEL).get(0);
  }

  /** A slow card in place of the fast one, until the test ends. */
  @Override
  protected void slowDown() {
    slowed = true;
    startWorker(SLOW);
  }

  /** With a seed: the simulated engine's text is the same for the same seed and prompt. */
  @Override
  protected ChatRequest text(String prompt, boolean stream) {
    return request("""
        {"model": "%s", "stream": %s, "seed": 7, "messages": [
          {"role": "system", "content": "You are terse."},
          {"role": "user", "content": "%s"}]}""".formatted(TestWorker.MODEL, stream, prompt));
  }
}
