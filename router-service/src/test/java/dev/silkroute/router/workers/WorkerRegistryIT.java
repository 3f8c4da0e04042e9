package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.testkit.Infra;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry against real Redis and real workers (gRPC over Netty, heartbeats into Redis). */
class WorkerRegistryIT {

  private static final Duration RESYNC = Duration.ofMillis(250);

  private final String prefix = Infra.uniqueName("silkroute-test:registry:");
  private RedisClient redis;
  private WorkerRegistry registry;
  private TestWorker worker;

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    registry = new WorkerRegistry(redis, new WorkerKeys(prefix), new WorkerReports(), RESYNC,
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
  }

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    registry.close();
    redis.shutdown();
  }

  @Test
  void aStartedWorkerIsInTheViewWithinOneSecond() {
    worker = new TestWorker(prefix, TestWorker.profile("H100", 8, 2_500_000), Duration.ofSeconds(5));
    long started = System.nanoTime();
    worker.start();

    await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(5))
        .until(() -> registry.worker(worker.id).isPresent());

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    LiveWorker live = registry.worker(worker.id).orElseThrow();
    assertThat(live.status().getGpuType()).isEqualTo("H100");
    assertThat(live.status().getModelsList()).containsExactly(TestWorker.MODEL);
    assertThat(live.capacity()).isEqualTo(16);
    assertThat(registry.serving(TestWorker.MODEL)).extracting(LiveWorker::id).containsExactly(worker.id);
    assertThat(registry.serving("other/model")).isEmpty();
  }

  @Test
  void aKilledWorkerLeavesTheViewWithinItsTtl() {
    Duration ttl = Duration.ofSeconds(1);
    worker = new TestWorker(prefix, TestWorker.profile("L40S", 4, 900_000), ttl);
    worker.start();
    await().atMost(Duration.ofSeconds(1)).until(() -> registry.worker(worker.id).isPresent());
    LiveWorker live = registry.worker(worker.id).orElseThrow();

    long killed = System.nanoTime();
    worker.kill(); // no drain, no deregistration: only the TTL can tell

    // The key expires at most one TTL after the last beat; the next resync notices.
    await().atMost(ttl.plus(RESYNC).plusMillis(300)).pollInterval(Duration.ofMillis(10))
        .until(() -> registry.worker(worker.id).isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThanOrEqualTo(ttl.plus(RESYNC).plusMillis(300));
    // Closed right after it leaves the view (the registry removes, then shuts the channel down).
    await().atMost(Duration.ofSeconds(1)).until(() -> live.channel().isShutdown());
  }

  @Test
  void aDrainingWorkerLeavesTheViewBeforeItDeregisters() {
    worker = new TestWorker(prefix, TestWorker.profile("A100", 4, 1_500_000), Duration.ofSeconds(5));
    worker.start();
    await().atMost(Duration.ofSeconds(1)).until(() -> registry.worker(worker.id).isPresent());

    worker.worker.dispatcher().drain(); // reports draining: true; the key stays

    await().atMost(Duration.ofSeconds(1)).until(() -> registry.worker(worker.id).isEmpty());
  }
}
