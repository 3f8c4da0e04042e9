package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenMixTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
  private final TokenMix mix = new TokenMix(stats);

  private static UsageEvent served(String endpoint, long prompt, long completion, long cached) {
    return UsageEvent.newBuilder().setEndpoint(endpoint).setStatus(UsageStatus.USAGE_STATUS_OK)
        .setPromptTokens(prompt).setCompletionTokens(completion).setCachedTokens(cached).build();
  }

  @Test
  void shouldKeepEachEndpointsCachedShareAndMeanPromptAndCompletion() {
    for (int i = 0; i < 5; i++) {
      mix.published(served("p/a/m", 1_000, 100 + i * 50, i % 2 == 0 ? 800 : 0)); // 2400 of 5000 cached
    }
    mix.published(served("q/a/m", 10, 10, 0));
    stats.refresh();

    TokenMix.Mix p = mix.mix("p/a/m");
    assertThat(p.generations()).isEqualTo(5);
    assertThat(p.measured()).isTrue();
    assertThat(p.cachedShare()).isCloseTo(2_400.0 / 5_000, within(1e-9));
    assertThat(p.meanPrompt()).isCloseTo(1_000, within(1e-9));
    assertThat(p.meanCompletion()).isCloseTo(200, within(1e-9));
    assertThat(mix.mix("q/a/m").measured()).isFalse();
    assertThat(mix.mix("nobody")).isEqualTo(TokenMix.Mix.NONE);
  }

  @Test
  void shouldCountOnlyServedGenerationsWithTheUpstreamsOwnFigures() {
    mix.published(served("p/a/m", 1_000, 10, 1_000).toBuilder().setStatus(UsageStatus.USAGE_STATUS_ERROR).build());
    mix.published(served("p/a/m", 1_000, 10, 0).toBuilder().setStatus(UsageStatus.USAGE_STATUS_TRUNCATED).build());
    mix.published(served("p/a/m", 1_000, 10, 0).toBuilder().setUsageEstimated(true).build());
    mix.published(served("", 1_000, 10, 0));
    mix.published(served("p/a/m", 1_000, 3, 0).toBuilder().setHedgeLoss(true).build());
    mix.published(served("p/a/m", 100, 10, 500)); // more cached than prompted: capped at the prompt
    stats.refresh();

    TokenMix.Mix p = mix.mix("p/a/m");
    assertThat(p.generations()).isEqualTo(1);
    assertThat(p.cachedShare()).isEqualTo(1.0);
  }

  @Test
  void shouldFallBackToTheDaysMixWhenThirtyMinutesSawNone() {
    for (int i = 0; i < 6; i++) {
      mix.published(served("p/a/m", 2_000, 100, 1_000));
    }
    clock.advance(Duration.ofHours(2));
    stats.refresh();

    assertThat(mix.mix("p/a/m").generations()).isEqualTo(6);
    assertThat(mix.mix("p/a/m").cachedShare()).isCloseTo(0.5, within(1e-9));
  }
}
