package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Endpoint statistics on a real Redis: two replicas see one picture. */
class RedisStatsBucketsIT {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static String prefix;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(Infra.redis().uri());
    connection = client.connect();
    prefix = Infra.uniqueName("statsit") + ":";
  }

  @AfterAll
  static void close() {
    List<String> keys = connection.sync().keys(prefix + "*");
    if (!keys.isEmpty()) {
      connection.sync().del(keys.toArray(String[]::new));
    }
    connection.close();
    client.shutdown();
  }

  @Test
  void replicasShareOnePictureOfAnEndpoint() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    TrafficStats replicaA = new TrafficStats(new RedisStatsBuckets(connection, prefix, Duration.ofSeconds(5)), clock);
    TrafficStats replicaB = new TrafficStats(new RedisStatsBuckets(connection, prefix, Duration.ofSeconds(5)), clock);
    Endpoint endpoint = endpoint("shared", "1");

    for (int i = 0; i < 9; i++) {
      replicaA.record(endpoint, Outcome.OK, 400, 200, 100, 1000);
    }
    replicaA.record(endpoint, Outcome.PROVIDER_ERROR, 50, -1, 0, 0);
    replicaA.record(endpoint, Outcome.CALLER_ERROR, 50, -1, 0, 0);
    replicaA.flush(); // what its scheduler does every second
    replicaB.track(endpoint.id());
    replicaB.refresh();

    EndpointStats seenByB = replicaB.stats(endpoint.id());
    assertThat(seenByB.requests5m()).isEqualTo(10);
    assertThat(seenByB.uptime5m()).isEqualTo(0.9);
    assertThat(seenByB.ttftP50Ms()).isBetween(170L, 240L);
    assertThat(seenByB.throughputP50()).isBetween(85L, 120L);
  }

  @Test
  void countsAreSummedAndSentAtTheFlush() {
    RedisStatsBuckets buckets = new RedisStatsBuckets(connection, prefix, Duration.ofSeconds(5));

    for (int i = 0; i < 1000; i++) {
      buckets.increment("summed", Map.of("ok", 1L, "lat:12", 2L), Duration.ofMinutes(35));
    }
    assertThat(connection.sync().exists(prefix + "summed")).isZero();

    buckets.flush();
    assertThat(connection.sync().hgetall(prefix + "summed")).isEqualTo(Map.of("ok", "1000", "lat:12", "2000"));
    assertThat(connection.sync().ttl(prefix + "summed")).isBetween(2000L, 2100L);
  }

  @Test
  void noCountIsLostToAConcurrentFlush() throws Exception {
    RedisStatsBuckets buckets = new RedisStatsBuckets(connection, prefix, Duration.ofSeconds(5));
    int threads = 4;
    int perThread = 20_000;
    java.util.concurrent.atomic.AtomicBoolean counting = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread flusher = new Thread(() -> {
      while (counting.get()) {
        buckets.flush();
      }
    });
    flusher.start();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
    for (int t = 0; t < threads; t++) {
      done.add(pool.submit(() -> {
        for (int i = 0; i < perThread; i++) {
          buckets.increment("raced", Map.of("ok", 1L), Duration.ofMinutes(35));
        }
      }));
    }
    for (java.util.concurrent.Future<?> f : done) {
      f.get();
    }
    counting.set(false);
    flusher.join();
    pool.shutdown();

    assertThat(buckets.read(List.of("raced"))).containsExactly(Map.of("ok", (long) threads * perThread));
  }

  @Test
  void bucketsExpireInRedis() {
    RedisStatsBuckets buckets = new RedisStatsBuckets(connection, prefix, Duration.ofSeconds(5));

    buckets.increment("ttl-check", Map.of("ok", 2L), Duration.ofMinutes(35));
    buckets.increment("ttl-check", Map.of("ok", 3L, "err", 1L), Duration.ofMinutes(35));

    assertThat(buckets.read(List.of("ttl-check", "absent"))).containsExactly(Map.of("ok", 5L, "err", 1L), Map.of());
    assertThat(connection.sync().ttl(prefix + "ttl-check")).isBetween(2000L, 2100L);
  }
}
