package dev.silkroute.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ConsumerHealthTest {

  private final ConsumerHealth health =
      new ConsumerHealth(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC), 3);

  @Test
  void isUnhealthyUntilTheThreadRunsAndHasSubscribed() {
    assertThat(health.healthy()).isFalse();
    health.started();
    assertThat(health.healthy()).isFalse();
    health.subscribed();
    assertThat(health.healthy()).isTrue();
  }

  @Test
  void becomesUnhealthyAfterConsecutiveFailuresAndRecoversOnCommit() {
    health.started();
    health.subscribed();
    health.batchFailed(new IllegalStateException("db down"));
    health.batchFailed(new IllegalStateException("db down"));
    assertThat(health.healthy()).isTrue();

    health.batchFailed(new IllegalStateException("db still down"));
    assertThat(health.healthy()).isFalse();
    assertThat(health.details()).containsEntry("consecutive_failures", 3)
        .containsEntry("last_failure", "db still down");

    health.batchCommitted();
    assertThat(health.healthy()).isTrue();
    assertThat(health.details()).containsEntry("last_commit", "2026-01-01T00:00:00Z");
  }

  @Test
  void staysUnhealthyOnceTheThreadDied() {
    health.started();
    health.subscribed();
    health.died(new IllegalStateException("boom", new SQLException("x")));
    health.batchCommitted();

    assertThat(health.healthy()).isFalse();
    assertThat(health.details()).containsEntry("running", false)
        .containsKey("died");
  }
}
