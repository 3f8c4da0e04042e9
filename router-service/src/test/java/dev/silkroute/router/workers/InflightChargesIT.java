package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Worker charges across router instances, on real Redis: a restarted instance releases what it left. */
class InflightChargesIT {

  private final WorkerKeys keys = new WorkerKeys(Infra.uniqueName("silkroute-test:charges:"));
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    connection.sync().sadd(keys.workers(), "w-1", "w-2");
  }

  @AfterEach
  void stop() {
    connection.close();
    redis.shutdown();
  }

  private InflightCharges instance(String name, Clock clock) {
    return new InflightCharges(connection, keys, Duration.ofMinutes(15), clock, name);
  }

  @Test
  void aRouterRestartedUnderItsNameReleasesTheChargesItsKilledRunLeft() {
    InflightCharges killed = instance("router-a", Clock.systemUTC());
    InflightCharges other = instance("router-aa", Clock.systemUTC()); // a name that starts alike
    killed.claim("w-1", 3).orElseThrow();
    killed.claim("w-1", 3).orElseThrow();
    killed.claim("w-2", 3).orElseThrow();
    other.claim("w-1", 3).orElseThrow();
    assertThat(other.claim("w-1", 3)).as("w-1 full, and would stay so for the 15 min lease").isEmpty();

    // Killed -9: nothing closed. The same name starts again, later.
    InflightCharges restarted = instance("router-a", Clock.offset(Clock.systemUTC(), Duration.ofSeconds(1)));
    InflightCharges.Charge mine = restarted.claim("w-2", 3).orElseThrow(); // before the release, to prove it stays
    assertThat(restarted.releaseEarlierCharges()).isEqualTo(3);

    assertThat(restarted.counts(java.util.List.of("w-1", "w-2")).orElseThrow())
        .as("the other router's charge and the new run's own stay")
        .containsEntry("w-1", 1L).containsEntry("w-2", 1L);
    assertThat(restarted.claim("w-1", 3)).isPresent();
    assertThat(restarted.releaseEarlierCharges()).as("nothing left to release").isZero();
    mine.close();
  }
}
