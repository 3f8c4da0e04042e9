package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.catalog.WorkerPool;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.heartbeat.WorkerStatusJson;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which workers are offered for a model, in which order, at which price: heartbeats written to real Redis. */
class WorkerEndpointsIT {

  private static final String MODEL_ID = "qwen/qwen3-32b";
  private static final Model MODEL = new Model(MODEL_ID, "Qwen3 32B", 32_768, List.of());

  private final String prefix = Infra.uniqueName("silkroute-test:endpoints:");
  private final WorkerKeys keys = new WorkerKeys(prefix);
  private final WorkerStatusJson statusJson = new WorkerStatusJson(new ObjectMapper());
  private final Map<String, WorkerPool> pools = new HashMap<>();
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private WorkerRegistry registry;
  private InflightCharges charges;
  private WorkerEndpoints endpoints;

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    registry = new WorkerRegistry(redis, keys, new WorkerReports(), Duration.ofMillis(250),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
    charges = new InflightCharges(connection, keys, Duration.ofMinutes(1), Clock.systemUTC());
    Random random = new Random(42);
    endpoints = new WorkerEndpoints(registry, charges, new WorkerPricing(20, 1_000, 10),
        id -> Optional.ofNullable(pools.get(id)), Duration.ofSeconds(2), random::nextDouble);
  }

  @AfterEach
  void stop() {
    registry.close();
    connection.close();
    redis.shutdown();
  }

  private void beat(String id, int maxRunning, long ttftMs, boolean draining, long pricePerHour) {
    WorkerStatus status = WorkerStatus.newBuilder().setWorkerId(id).setAddress("127.0.0.1:1")
        .addModels(MODEL_ID).setGpuType("H100").setPricePerGpuHourMicros(pricePerHour)
        .setMaxRunning(maxRunning).setMaxQueued(maxRunning).setTokensPerSecond(1_000)
        .setEstimatedTtftMs(ttftMs).setDraining(draining).setReportedAtMs(System.currentTimeMillis()).build();
    var sync = connection.sync();
    sync.set(keys.worker(id), statusJson.write(status), SetArgs.Builder.px(5_000));
    sync.sadd(keys.workers(), id);
    sync.publish(keys.changedChannel(), id);
  }

  private void awaitWorkers(int n) {
    await().atMost(Duration.ofSeconds(1)).until(() -> registry.workers().size() == n);
  }

  @Test
  void leavesOutWorkersPredictedToBreakTheLatencyTargetAndDrainingOnes() {
    beat("fast", 8, 100, false, 2_500_000);
    beat("slow", 8, 5_000, false, 2_500_000);
    beat("leaving", 8, 100, true, 2_500_000);
    awaitWorkers(2);

    assertThat(endpoints.endpoints(MODEL)).extracting(Endpoint::id).containsExactly("self-hosted/fast/" + MODEL_ID);

    pools.put(MODEL_ID, new WorkerPool("silkroute", MODEL_ID, MODEL_ID, new Pricing(1, 2), Optional.of("fp8"),
        OptionalLong.of(10_000)));
    assertThat(endpoints.endpoints(MODEL)).as("the pool's own target is looser").hasSize(2);
  }

  @Test
  void everyWorkerOfAModelHasOneCustomerPriceCoveringTheDearestCost() {
    beat("cheap", 8, 100, false, 1_000_000);
    beat("dear", 8, 100, false, 3_000_000);
    awaitWorkers(2);

    List<Endpoint> offered = endpoints.endpoints(MODEL);

    assertThat(offered).extracting(Endpoint::price).containsOnly(offered.get(0).price());
    Pricing dearCost = offered.stream().filter(e -> e.id().contains("/dear/")).findFirst().orElseThrow().cost();
    assertThat(offered.get(0).price().completionMicrosPerMillion())
        .isEqualTo((dearCost.completionMicrosPerMillion() * 120 + 99) / 100);
    assertThat(offered).allSatisfy(e -> {
      assertThat(e.provider()).isEqualTo("self-hosted");
      assertThat(e.traits().predictedTtftMs()).isEqualTo(100);
      assertThat(e.traits().dataPolicy().collects()).isFalse();
    });

    pools.put(MODEL_ID, new WorkerPool("silkroute", MODEL_ID, MODEL_ID, new Pricing(300_000, 900_000),
        Optional.empty(), OptionalLong.empty()));
    assertThat(endpoints.endpoints(MODEL)).allSatisfy(e -> {
      assertThat(e.price()).isEqualTo(new Pricing(300_000, 900_000));
      assertThat(e.provider()).isEqualTo("silkroute");
    });
  }

  @Test
  void picksSpreadInProportionToFreeCapacityAndFullWorkersComeLast() {
    beat("big", 20, 100, false, 2_500_000); // capacity 40
    beat("small", 5, 100, false, 2_500_000); // capacity 10
    awaitWorkers(2);

    Map<String, Integer> firsts = new HashMap<>();
    for (int i = 0; i < 2_000; i++) {
      firsts.merge(endpoints.endpoints(MODEL).get(0).id(), 1, Integer::sum);
    }
    double bigShare = firsts.getOrDefault("self-hosted/big/" + MODEL_ID, 0) / 2_000.0;
    assertThat(bigShare).isBetween(0.75, 0.85); // 40 / 50

    for (int i = 0; i < 10; i++) {
      charges.claim("small", 10).orElseThrow();
    }
    assertThat(charges.claim("small", 10)).as("all routers together filled it").isEmpty();
    for (int i = 0; i < 20; i++) {
      assertThat(endpoints.endpoints(MODEL)).extracting(Endpoint::id)
          .containsExactly("self-hosted/big/" + MODEL_ID, "self-hosted/small/" + MODEL_ID);
    }
    for (int i = 0; i < 40; i++) {
      charges.claim("big", 40).orElseThrow();
    }
    // Both full: still offered, as a slot may free up before the attempt claims it.
    assertThat(endpoints.endpoints(MODEL)).extracting(Endpoint::id)
        .containsExactlyInAnyOrder("self-hosted/big/" + MODEL_ID, "self-hosted/small/" + MODEL_ID);
  }
}
