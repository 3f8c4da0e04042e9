package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.silkroute.router.catalog.Pricing;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EffectiveCostTest {

  // $1 per M prompt tokens, $0.10 per M cached, $2 per M completion tokens.
  private static final Pricing CACHING = new Pricing(1_000_000, 2_000_000, 100_000);
  private static final TokenMix.Mix HALF_CACHED = new TokenMix.Mix(10, 0.5, 1_000, 100);

  @Test
  void shouldBlendCachedAndUncachedPromptPricesByTheMeasuredShare() {
    EffectiveCost.Demand demand = new EffectiveCost.Demand(1_000, OptionalLong.empty(), 256);

    // 1000 x (1.00 x 0.5 + 0.10 x 0.5) + 100 x 2.00 = 550 + 200 micro-USD
    assertThat(EffectiveCost.cost(CACHING, demand, HALF_CACHED)).isCloseTo(750, within(1e-9));
    assertThat(EffectiveCost.listCost(CACHING, demand, HALF_CACHED)).isCloseTo(1_200, within(1e-9));
    assertThat(EffectiveCost.cachedShare(HALF_CACHED)).isEqualTo(0.5);
  }

  @Test
  void shouldExpectTheMeasuredMeanAnswerCappedByMaxTokens() {
    EffectiveCost.Demand capped = new EffectiveCost.Demand(1_000, OptionalLong.of(50), 256);
    EffectiveCost.Demand generous = new EffectiveCost.Demand(1_000, OptionalLong.of(4_000), 256);

    assertThat(EffectiveCost.cost(CACHING, capped, HALF_CACHED)).isCloseTo(550 + 100, within(1e-9));
    assertThat(EffectiveCost.cost(CACHING, generous, HALF_CACHED)).isCloseTo(550 + 200, within(1e-9));
  }

  @Test
  void shouldPriceAnUnmeasuredEndpointAtListWithTheFallbackAnswerLength() {
    TokenMix.Mix fewGenerations = new TokenMix.Mix(TokenMix.MIN_GENERATIONS - 1, 0.9, 1_000, 10);
    EffectiveCost.Demand demand = new EffectiveCost.Demand(1_000, OptionalLong.empty(), 300);

    assertThat(EffectiveCost.cachedShare(fewGenerations)).isZero();
    assertThat(EffectiveCost.cost(CACHING, demand, fewGenerations)).isCloseTo(1_000 + 600, within(1e-9));
    assertThat(EffectiveCost.cost(CACHING, demand, TokenMix.Mix.NONE)).isCloseTo(1_600, within(1e-9));
  }

  @Test
  void shouldDoubleTheScoreAtTwentySecondsToFirstTokenAndDivideByUptimeSquared() {
    assertThat(EffectiveCost.score(100, 0, 1)).isCloseTo(100, within(1e-9));
    assertThat(EffectiveCost.score(100, 20_000, 1)).isCloseTo(200, within(1e-9));
    assertThat(EffectiveCost.score(100, 0, 0.5)).isCloseTo(400, within(1e-9));
    assertThat(EffectiveCost.score(100, -1, Double.NaN)).as("unmeasured: no penalty").isCloseTo(100, within(1e-9));
    assertThat(EffectiveCost.score(100, 0, 0)).as("uptime floored").isCloseTo(100 / (0.05 * 0.05), within(1e-6));
  }

  @Test
  void shouldKeepAFreeEndpointsScorePositiveSoItsWeightStaysFinite() {
    double score = EffectiveCost.score(0, 0, 1);

    assertThat(score).isPositive();
    assertThat(1 / (score * score)).isFinite();
  }

  @Test
  void shouldTakeAWorkersPredictionOverTheMeasuredTtft() {
    EndpointStats measured = new EndpointStats(10, 1, 10, 1, 10, 1, 900, 900, 900, 700, 800, 900, 50);
    var external = Fixtures.endpoint("p", "1");
    var worker = external.withTraits(external.traits().withPredictedTtftMs(40));

    assertThat(EffectiveCost.predictedTtftMs(external, measured)).isEqualTo(700);
    assertThat(EffectiveCost.predictedTtftMs(worker, measured)).isEqualTo(40);
    assertThat(EffectiveCost.predictedTtftMs(external, EndpointStats.NONE)).isZero();
  }

  @Test
  void shouldBlendTheEffectivePromptPriceForTheEndpointsApi() {
    assertThat(EffectiveCost.effectivePromptMicrosPerMillion(CACHING, HALF_CACHED)).isEqualTo(550_000);
    assertThat(EffectiveCost.effectivePromptMicrosPerMillion(CACHING, TokenMix.Mix.NONE)).isEqualTo(1_000_000);
  }
}
