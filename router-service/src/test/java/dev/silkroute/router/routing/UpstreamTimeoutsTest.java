package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.router.catalog.Endpoint;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class UpstreamTimeoutsTest {

  private final UpstreamTimeouts timeouts = new UpstreamTimeouts(3, Duration.ofSeconds(1), Duration.ofSeconds(60),
      Duration.ofSeconds(10), 5_000, 2, Duration.ofSeconds(30));
  private final Endpoint endpoint = endpoint("p", "1");

  private static UpstreamTimeouts.Ask streamed() {
    return new UpstreamTimeouts.Ask(true, 1, false, OptionalLong.empty(), false);
  }

  private static EndpointStats ttftP99(long ttftMs, long latencyMs) {
    return new EndpointStats(100, 1, 100, 1, 100, 1, latencyMs / 2, latencyMs, latencyMs, ttftMs / 2, ttftMs, ttftMs,
        50);
  }

  @Test
  void shouldWaitThreeTimesTheMeasuredP99ForAStreamsFirstToken() {
    assertThat(timeouts.firstByte(endpoint, ttftP99(800, 5_000), streamed())).isEqualTo(Duration.ofMillis(2_400));
  }

  @Test
  void shouldWaitOnTheWholeAnswersP99WhenNotStreamed() {
    UpstreamTimeouts.Ask whole = new UpstreamTimeouts.Ask(false, 1, false, OptionalLong.empty(), false);

    assertThat(timeouts.firstByte(endpoint, ttftP99(800, 5_000), whole)).isEqualTo(Duration.ofMillis(15_000));
  }

  @Test
  void shouldWaitTheInitialTimeoutForAnEndpointNeverMeasured() {
    assertThat(timeouts.firstByte(endpoint, EndpointStats.NONE, streamed())).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldKeepWithinFloorAndCeiling() {
    assertThat(timeouts.firstByte(endpoint, ttftP99(40, 40), streamed())).isEqualTo(Duration.ofSeconds(1));
    assertThat(timeouts.firstByte(endpoint, ttftP99(50_000, 50_000), streamed())).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void shouldAllowLongerForLongPromptsAndReasoningModels() {
    UpstreamTimeouts.Ask longPrompt = new UpstreamTimeouts.Ask(true, 50_000, false, OptionalLong.empty(), false);
    UpstreamTimeouts.Ask reasoning = new UpstreamTimeouts.Ask(true, 1, true, OptionalLong.empty(), false);

    // 3 x 800 ms, plus 50,000 prompt tokens at 5,000 a second
    assertThat(timeouts.firstByte(endpoint, ttftP99(800, 5_000), longPrompt)).isEqualTo(Duration.ofMillis(12_400));
    assertThat(timeouts.firstByte(endpoint, ttftP99(800, 5_000), reasoning)).isEqualTo(Duration.ofMillis(4_800));
  }

  @Test
  void shouldTightenToTheRequestsPreferredMaxLatencyButNotBelowTheFloor() {
    UpstreamTimeouts.Ask twoSeconds = new UpstreamTimeouts.Ask(true, 1, false, OptionalLong.of(2_000), false);
    UpstreamTimeouts.Ask tenMillis = new UpstreamTimeouts.Ask(true, 1, false, OptionalLong.of(10), false);

    assertThat(timeouts.firstByte(endpoint, EndpointStats.NONE, twoSeconds)).isEqualTo(Duration.ofSeconds(2));
    assertThat(timeouts.firstByte(endpoint, EndpointStats.NONE, tenMillis)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void shouldGiveTheLastCandidateTheCeilingSinceNothingIsLeftToFallBackTo() {
    UpstreamTimeouts.Ask last = new UpstreamTimeouts.Ask(true, 1, false, OptionalLong.empty(), true);

    assertThat(timeouts.firstByte(endpoint, ttftP99(800, 5_000), last)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void shouldUseTheCatalogsFixedTimeoutForAnEndpointThatHasOne() {
    Endpoint fixed = endpoint.withTraits(new Endpoint.Traits("fp8", 0, 0, 0, null, java.util.Set.of(), -1, 4_000));
    UpstreamTimeouts.Ask last = new UpstreamTimeouts.Ask(true, 1, false, OptionalLong.empty(), true);

    assertThat(timeouts.firstByte(fixed, ttftP99(800, 5_000), streamed())).isEqualTo(Duration.ofSeconds(4));
    assertThat(timeouts.firstByte(fixed, ttftP99(800, 5_000), last)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void shouldRejectAFloorAboveTheCeilingNamingBoth() {
    assertThatThrownBy(() -> new UpstreamTimeouts(3, Duration.ofSeconds(5), Duration.ofSeconds(2),
        Duration.ofSeconds(10), 5_000, 2, Duration.ofSeconds(30)))
        .hasMessageContaining("first-byte-floor").hasMessageContaining("first-byte-ceiling");
  }
}
