package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.silkroute.router.catalog.Endpoint;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TrafficStatsTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
  private final Endpoint endpoint = endpoint("p", "1");

  @Test
  void uptimeIsKeptOverFiveMinutesThirtyMinutesAndADay() {
    record(8, 2);                          // 2 hours ago: 80%
    clock.advance(Duration.ofHours(2));
    record(9, 1);                          // 20 minutes ago: 90%
    clock.advance(Duration.ofMinutes(20));
    record(10, 0);                         // now: 100%
    stats.refresh();

    EndpointStats s = stats.stats(endpoint.id());
    assertThat(s.requests5m()).isEqualTo(10);
    assertThat(s.uptime5m()).isEqualTo(1.0);
    assertThat(s.requests30m()).isEqualTo(20);
    assertThat(s.uptime30m()).isCloseTo(0.95, within(1e-9));
    assertThat(s.requests1d()).isEqualTo(30);
    assertThat(s.uptime1d()).isCloseTo(27.0 / 30, within(1e-9));
  }

  @Test
  void oldTrafficLeavesTheWindows() {
    record(0, 10);
    clock.advance(Duration.ofMinutes(6));
    stats.refresh();
    assertThat(stats.stats(endpoint.id()).requests5m()).isZero();
    assertThat(stats.stats(endpoint.id()).requests30m()).isEqualTo(10);

    clock.advance(Duration.ofHours(25));
    stats.refresh();
    assertThat(stats.stats(endpoint.id()).requests1d()).isZero();
    assertThat(stats.stats(endpoint.id()).uptime()).isNaN();
  }

  @Test
  void lateAttemptsAreCountedOverThirtyMinutesByKind() {
    stats.late(endpoint, Lateness.FIRST_BYTE_TIMEOUT);
    stats.late(endpoint, Lateness.FIRST_BYTE_TIMEOUT);
    stats.late(endpoint, Lateness.STALL);
    clock.advance(Duration.ofMinutes(20));
    stats.late(endpoint, Lateness.SLOW);
    stats.refresh();

    EndpointStats s = stats.stats(endpoint.id());
    assertThat(s.firstByteTimeouts30m()).isEqualTo(2);
    assertThat(s.stalls30m()).isEqualTo(1);
    assertThat(s.slowCalls30m()).isEqualTo(1);

    clock.advance(Duration.ofMinutes(15));
    stats.refresh();
    assertThat(stats.stats(endpoint.id()).firstByteTimeouts30m()).isZero();
    assertThat(stats.stats(endpoint.id()).slowCalls30m()).isEqualTo(1);
  }

  @Test
  void callerErrorsAndCancellationsDoNotCount() {
    stats.record(endpoint, Outcome.CALLER_ERROR, 10, -1, 0, 0);
    stats.record(endpoint, Outcome.CANCELLED, 10, 5, 0, 0);
    stats.record(endpoint, Outcome.OK, 10, 5, 10, 100);
    stats.refresh();

    assertThat(stats.stats(endpoint.id()).requests5m()).isEqualTo(1);
    assertThat(stats.stats(endpoint.id()).uptime5m()).isEqualTo(1.0);
  }

  @Test
  void latencyTimeToFirstTokenAndThroughputPercentilesAreWithinABucket() {
    for (int i = 1; i <= 100; i++) {
      // ttft 10..1000 ms; 50 tokens over 1 s = 50 tokens/s
      stats.record(endpoint, Outcome.OK, 1000 + i * 10, i * 10, 50, 1000);
    }
    stats.refresh();

    EndpointStats s = stats.stats(endpoint.id());
    assertThat((double) s.ttftP50Ms()).isCloseTo(500, within(500 * 0.2));
    assertThat((double) s.ttftP90Ms()).isCloseTo(900, within(900 * 0.2));
    assertThat((double) s.latencyP50Ms()).isCloseTo(1500, within(1500 * 0.2));
    assertThat((double) s.latencyP99Ms()).isCloseTo(1990, within(1990 * 0.2));
    assertThat((double) s.throughputP50()).isCloseTo(50, within(50 * 0.2));
  }

  @Test
  void anEndpointWithoutTrafficHasNoStatistics() {
    stats.track("nobody");
    stats.refresh();

    assertThat(stats.stats("nobody")).isEqualTo(new EndpointStats(0, Double.NaN, 0, Double.NaN, 0, Double.NaN,
        -1, -1, -1, -1, -1, -1, -1));
  }

  private void record(int ok, int failed) {
    for (int i = 0; i < ok; i++) {
      stats.record(endpoint, Outcome.OK, 100, 50, 10, 50);
    }
    for (int i = 0; i < failed; i++) {
      stats.record(endpoint, Outcome.PROVIDER_ERROR, 100, -1, 0, 0);
    }
  }
}
