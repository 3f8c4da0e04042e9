package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.heartbeat.WorkerStatusJson;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router on a Redis reached through a Sentinel ({@code silkroute.redis.uri=redis-sentinel://...#master}),
 * as its beans create the client ({@code RedisClient.create(uri)}): the admission scripts, the worker
 * charges and the registry's pub/sub all work through the master the sentinel names.
 */
class RedisSentinelIT {

  private final String prefix = Infra.uniqueName("silkroute-test:sentinel:");
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;

  @BeforeEach
  void connect() {
    redis = RedisClient.create(Infra.redisSentinel().uri());
    connection = redis.connect();
  }

  @AfterEach
  void disconnect() {
    connection.close();
    redis.shutdown();
  }

  @Test
  void admitsSettlesChargesWorkersAndHearsHeartbeatsThroughTheSentinelsMaster() throws Exception {
    RedisKeys keys = new RedisKeys(prefix);
    connection.sync().set(keys.balance("cus_s"), "1000");
    Admission admission = new Admission(connection, prefix, Clock.systemUTC());
    Admission.Ticket ticket = admission.admitAsync("gen-sentinel", new Caller("cus_s", "key_s", KeyLimits.NONE), "a/b", 10, 300)
        .get(10, TimeUnit.SECONDS);
    assertThat(connection.sync().get(keys.balance("cus_s"))).isEqualTo("700");
    ticket.settleAsync(42, 20).orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(connection.sync().get(keys.balance("cus_s"))).isEqualTo("958");

    WorkerKeys workerKeys = new WorkerKeys(prefix);
    try (WorkerRegistry registry = new WorkerRegistry(redis, workerKeys, new WorkerReports(), Duration.ofSeconds(30),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start()) {
      WorkerStatus status = WorkerStatus.newBuilder().setWorkerId("w-s").setAddress("127.0.0.1:1")
          .addModels("a/b").setMaxRunning(1).setReportedAtMs(System.currentTimeMillis()).build();
      connection.sync().set(workerKeys.worker("w-s"), new WorkerStatusJson(new ObjectMapper()).write(status),
          SetArgs.Builder.px(5_000));
      connection.sync().sadd(workerKeys.workers(), "w-s");
      connection.sync().publish(workerKeys.changedChannel(), "w-s");
      // Heard on the channel, well before the 30 s resync would find it.
      await().atMost(Duration.ofSeconds(5)).until(() -> registry.worker("w-s").isPresent());
    }

    InflightCharges charges = new InflightCharges(connection, workerKeys, Duration.ofMinutes(1), Clock.systemUTC(),
        "router-s");
    InflightCharges.Charge charge = charges.claim("w-s", 1).orElseThrow();
    assertThat(charges.claim("w-s", 1)).isEmpty();
    charge.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> charges.counts(List.of("w-s")).orElseThrow().get("w-s") == 0);
  }
}
