package dev.silkroute.router.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-key day, week and month charges behind {@code GET /key}, on real Redis. */
class KeyUsagePeriodsIT {

  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;
  private final String prefix = Infra.uniqueName("periods") + ":";

  @BeforeEach
  void connect() {
    client = RedisClient.create(Infra.redis().uri());
    connection = client.connect();
  }

  @AfterEach
  void close() {
    connection.close();
    client.shutdown();
  }

  private KeyUsagePeriods at(String instant) {
    return new KeyUsagePeriods(connection.async(), prefix, Clock.fixed(Instant.parse(instant), ZoneOffset.UTC));
  }

  private static UsageEvent charge(String keyId, long micros) {
    return UsageEvent.newBuilder().setEventId("gen-" + micros).setKeyId(keyId).setPriceMicros(micros).build();
  }

  @Test
  void countsEachChargeIntoTheUtcDayTheWeekFromMondayAndTheMonth() {
    // Sunday 29 November, Monday 30 November, Tuesday 1 December 2026.
    at("2026-11-29T23:59:00Z").published(charge("key-a", 1_000));
    at("2026-11-30T00:01:00Z").published(charge("key-a", 20_000));
    at("2026-12-01T12:00:00Z").published(charge("key-a", 300_000));
    at("2026-12-01T12:00:00Z").published(charge("key-b", 4_000_000));
    at("2026-12-01T12:00:00Z").published(charge("key-a", 0)); // free: nothing to count

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(at("2026-12-01T13:00:00Z").of("key-a").join())
          .isEqualTo(new KeyUsagePeriods.Periods(300_000, 320_000, 300_000));
      // Monday's own day, the same week as Tuesday, and November's month.
      assertThat(at("2026-11-30T18:00:00Z").of("key-a").join())
          .isEqualTo(new KeyUsagePeriods.Periods(20_000, 320_000, 21_000));
    });
    assertThat(at("2026-12-01T13:00:00Z").of("key-b").join())
        .isEqualTo(new KeyUsagePeriods.Periods(4_000_000, 4_000_000, 4_000_000));
    assertThat(at("2026-12-08T00:00:00Z").of("key-a").join()).isEqualTo(new KeyUsagePeriods.Periods(0, 0, 300_000));
    assertThat(at("2026-12-01T13:00:00Z").of("never-used").join()).isEqualTo(new KeyUsagePeriods.Periods(0, 0, 0));
  }

  @Test
  void letsEachCounterExpireAfterItsPeriod() {
    at("2026-12-01T12:00:00Z").published(charge("key-c", 5));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
        connection.sync().ttl(prefix + "key_usage:key-c:d:2026-12-01")).isBetween(1L, Duration.ofDays(2).toSeconds()));
    assertThat(connection.sync().ttl(prefix + "key_usage:key-c:w:2026-11-30")).isBetween(Duration.ofDays(7).toSeconds(),
        Duration.ofDays(8).toSeconds());
    assertThat(connection.sync().ttl(prefix + "key_usage:key-c:m:2026-12-01")).isBetween(Duration.ofDays(31).toSeconds(),
        Duration.ofDays(32).toSeconds());
  }
}
