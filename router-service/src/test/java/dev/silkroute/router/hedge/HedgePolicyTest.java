package dev.silkroute.router.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.router.routing.EndpointStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HedgePolicyTest {

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private HedgePolicy policy(int sharePercent, int reserve) {
    return new HedgePolicy(new HedgeSettings(true, Duration.ofMillis(250), Duration.ofSeconds(10), sharePercent,
        Duration.ofSeconds(10), reserve), nanos::get);
  }

  private static EndpointStats ttft(long p90, long p99) {
    return new EndpointStats(100, 1, 100, 1, 100, 1, 2_000, 3_000, 5_000, 100, p90, p99, 50);
  }

  private static EndpointStats latency(long p90, long p99) {
    return new EndpointStats(100, 1, 100, 1, 100, 1, 500, p90, p99, 100, 200, 300, 50);
  }

  @Test
  void shouldHedgeAtTheP95EstimatedBetweenP90AndP99AsInAnExponentialTail() {
    // p95 = p90 + log 2 / log 10 x (p99 - p90): 1,000 + 0.30103 x 1,000
    assertThat(policy(5, 2).delay(ttft(1_000, 2_000), true)).isEqualTo(Duration.ofMillis(1_301));
    assertThat(policy(5, 2).delay(ttft(400, 400), true)).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void shouldUseTheWholeAnswersPercentilesWhenNotStreamed() {
    assertThat(policy(5, 2).delay(latency(3_000, 3_000), false)).isEqualTo(Duration.ofMillis(3_000));
  }

  @Test
  void shouldKeepTheDelayWithinFloorAndCeiling() {
    HedgePolicy policy = policy(5, 2);
    assertThat(policy.delay(ttft(20, 60), true)).isEqualTo(Duration.ofMillis(250));
    assertThat(policy.delay(ttft(30_000, 90_000), true)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldWaitTheCeilingForAnEndpointWithoutARecordAndUseTheOnePercentileItHas() {
    HedgePolicy policy = policy(5, 2);
    assertThat(policy.delay(EndpointStats.NONE, true)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.delay(ttft(-1, 900), true)).isEqualTo(Duration.ofMillis(900));
    assertThat(policy.delay(ttft(700, -1), true)).isEqualTo(Duration.ofMillis(700));
  }

  @Test
  void shouldAllowTheReserveThenTheShareOfRequestsPerWindow() {
    HedgePolicy policy = policy(5, 2);
    assertThat(policy.tryHedge()).isTrue();
    assertThat(policy.tryHedge()).isTrue();
    assertThat(policy.tryHedge()).as("reserve spent, no request seen").isFalse();
    for (int i = 0; i < 19; i++) {
      policy.requested();
    }
    assertThat(policy.tryHedge()).as("19 requests x 5% < 1 hedge").isFalse();
    policy.requested();
    assertThat(policy.tryHedge()).as("20 requests x 5% = 1 hedge").isTrue();
    assertThat(policy.tryHedge()).isFalse();
  }

  @Test
  void shouldNeverHedgeMoreThanShareOfRequestsPlusReserveInAWindow() {
    HedgePolicy policy = policy(5, 2);
    int hedges = 0;
    for (int i = 0; i < 1_000; i++) {
      policy.requested();
      if (policy.tryHedge()) {
        hedges++;
      }
    }
    assertThat(hedges).isEqualTo(50 + 2);
  }

  @Test
  void shouldRefillWhenTheWindowEndsAndNotCarryUnusedHedgesOver() {
    HedgePolicy policy = policy(5, 2);
    for (int i = 0; i < 200; i++) {
      policy.requested(); // 10 hedges' worth, unused
    }
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    assertThat(policy.tryHedge()).isTrue();
    assertThat(policy.tryHedge()).isTrue();
    assertThat(policy.tryHedge()).as("last window's share does not carry over").isFalse();
    nanos.addAndGet(Duration.ofSeconds(9).toNanos());
    assertThat(policy.tryHedge()).as("same window still").isFalse();
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(policy.tryHedge()).isTrue();
  }

  @Test
  void shouldGiveBackAHedgeThatCouldNotStart() {
    HedgePolicy policy = policy(0, 1);
    assertThat(policy.tryHedge()).isTrue();
    assertThat(policy.tryHedge()).isFalse();
    policy.unused();
    assertThat(policy.tryHedge()).isTrue();
  }

  @Test
  void shouldNeverHedgeWhenOff() {
    HedgePolicy off = HedgePolicy.off();
    off.requested();
    assertThat(off.enabled()).isFalse();
    assertThat(off.tryHedge()).isFalse();
  }

  @Test
  void shouldRejectSettingsThatCannotWorkNamingTheProperty() {
    assertThatThrownBy(() -> new HedgeSettings(true, Duration.ofSeconds(2), Duration.ofSeconds(1), 5,
        Duration.ofSeconds(10), 2)).hasMessageContaining("silkroute.hedge.floor");
    assertThatThrownBy(() -> new HedgeSettings(true, Duration.ofMillis(250), Duration.ofSeconds(1), 101,
        Duration.ofSeconds(10), 2)).hasMessageContaining("silkroute.hedge.max-share-percent");
    assertThatThrownBy(() -> new HedgeSettings(true, Duration.ofMillis(250), Duration.ofSeconds(1), 5,
        Duration.ZERO, 2)).hasMessageContaining("silkroute.hedge.window");
    assertThatThrownBy(() -> new HedgeSettings(true, Duration.ofMillis(250), Duration.ofSeconds(1), 5,
        Duration.ofSeconds(10), -1)).hasMessageContaining("silkroute.hedge.reserve-per-window");
  }
}
