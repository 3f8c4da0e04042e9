package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.catalog.Pricing;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WorkerPricingTest {

  private final WorkerPricing pricing = new WorkerPricing(20, 1_000, 10);

  private static LiveWorker worker(long pricePerGpuHour, double tokensPerSecond, double best) {
    return new LiveWorker(WorkerStatus.newBuilder().setWorkerId("w").setAddress("h:1")
        .setPricePerGpuHourMicros(pricePerGpuHour).setTokensPerSecond(tokensPerSecond).build(), null, best);
  }

  @Test
  void pricesACompletionTokenAtGpuPricePerHourOverTokensPerHour() {
    // $2.50 per GPU-hour at 1000 tokens/s = 3.6M tokens/h: $0.694444... per million, rounded up.
    Pricing cost = pricing.cost(worker(2_500_000, 1_000, 0));

    assertThat(cost.completionMicrosPerMillion()).isEqualTo(694_445);
    assertThat(cost.promptMicrosPerMillion()).isEqualTo(69_445); // prefill is 10 times cheaper per token
  }

  @Test
  void usesTheBestThroughputSeenSoThatAnIdleWorkerIsNotPricedAtInfinity() {
    assertThat(pricing.cost(worker(2_500_000, 0, 2_000)).completionMicrosPerMillion()).isEqualTo(347_223);
    assertThat(pricing.cost(worker(2_500_000, 0, 0)).completionMicrosPerMillion())
        .as("nothing measured yet: the assumed default").isEqualTo(694_445);
  }

  @Test
  void customerPriceIsThePoolPriceWhenTheCatalogStatesOneElseCostPlusMargin() {
    Pricing cost = new Pricing(100_000, 1_000_000);

    assertThat(pricing.price(Optional.of(new Pricing(5, 7)), cost)).isEqualTo(new Pricing(5, 7));
    assertThat(pricing.price(Optional.empty(), cost)).isEqualTo(new Pricing(120_000, 1_200_000));
    assertThat(pricing.price(Optional.empty(), new Pricing(1, 1))).isEqualTo(new Pricing(2, 2)); // rounded up
  }

  @Test
  void rejectsANegativeMargin() {
    assertThatThrownBy(() -> new WorkerPricing(-1, 1_000, 10)).hasMessageContaining("marginPercent")
        .hasMessageContaining("-1");
  }
}
