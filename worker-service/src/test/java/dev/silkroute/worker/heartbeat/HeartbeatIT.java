package dev.silkroute.worker.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The heartbeat against the real Redis from the testkit, under a key prefix of its own. */
class HeartbeatIT {
  private final WorkerStatusJson json = new WorkerStatusJson(new ObjectMapper());
  private final WorkerKeys keys = new WorkerKeys(Infra.uniqueName("silkroute-test:heartbeat:"));
  private final AtomicReference<WorkerStatus> status = new AtomicReference<>(WorkerStatusJsonTest.sample());
  private final List<String> announced = new CopyOnWriteArrayList<>();
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private StatefulRedisPubSubConnection<String, String> subscription;
  private RedisCommands<String, String> redis;
  private Heartbeat heartbeat;

  @BeforeEach
  void connect() {
    client = RedisClient.create(Infra.redis().uri());
    connection = client.connect();
    redis = client.connect().sync();
    subscription = client.connectPubSub();
    subscription.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String message) {
        announced.add(message);
      }
    });
    subscription.sync().subscribe(keys.changedChannel());
  }

  @AfterEach
  void close() {
    if (heartbeat != null) {
      heartbeat.close();
    }
    redis.del(keys.worker("worker-a"), keys.workers());
    client.shutdown();
  }

  private Heartbeat heartbeat(Duration interval, Duration ttl) {
    heartbeat = new Heartbeat(connection, keys, status::get, json, interval, ttl, Duration.ofMillis(20), System::nanoTime);
    return heartbeat;
  }

  @Test
  void writesItsStatusWithATtlRegistersAndAnnouncesItsId() {
    heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(5)).start();

    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker("worker-a")) != null);
    assertThat(json.read(redis.get(keys.worker("worker-a")))).isEqualTo(status.get());
    assertThat(redis.pttl(keys.worker("worker-a"))).isBetween(1L, 5_000L);
    assertThat(redis.sismember(keys.workers(), "worker-a")).isTrue();
    await().atMost(Duration.ofSeconds(3)).until(() -> announced.contains("worker-a"));
  }

  @Test
  void aChangeIsWrittenAtOnceRatherThanAtTheNextInterval() {
    heartbeat(Duration.ofSeconds(30), Duration.ofSeconds(60)).start();
    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker("worker-a")) != null);

    status.set(status.get().toBuilder().setRunning(7).build());
    heartbeat.changed();

    await().atMost(Duration.ofSeconds(2))
        .until(() -> json.read(redis.get(keys.worker("worker-a"))).getRunning() == 7);
  }

  @Test
  void deregisteringDeletesTheKeyAndTellsTheRouters() {
    heartbeat(Duration.ofSeconds(1), Duration.ofSeconds(5)).start();
    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker("worker-a")) != null);
    announced.clear();

    heartbeat.deregister();

    assertThat(redis.get(keys.worker("worker-a"))).isNull();
    assertThat(redis.sismember(keys.workers(), "worker-a")).isFalse();
    await().atMost(Duration.ofSeconds(3)).until(() -> announced.contains("worker-a"));
  }

  @Test
  void aWorkerThatStopsBeatingDisappearsWithinItsTtl() {
    heartbeat(Duration.ofMillis(200), Duration.ofMillis(600)).start();
    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker("worker-a")) != null);

    heartbeat.close(); // as if killed: no deregistration

    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker("worker-a")) == null);
  }
}
