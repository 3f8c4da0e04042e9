package dev.silkroute.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GpuPriceTest {
  private final GpuPrice h100 = new GpuPrice(2_500_000); // $2.50 per GPU-hour

  @Test
  void chargesTheHourlyPriceForAnHourOfGpuTime() {
    assertThat(h100.costMicros(3_600_000_000L)).isEqualTo(2_500_000);
  }

  @Test
  void roundsSharesOfASecondHalfUp() {
    assertThat(h100.costMicros(1_000_000)).isEqualTo(694); // 694.44
    assertThat(h100.costMicros(1_800)).isEqualTo(1); // 1.25 micro-USD
    assertThat(h100.costMicros(720)).isEqualTo(1); // exactly 0.5
    assertThat(h100.costMicros(719)).isZero();
  }

  @Test
  void refusesANegativePrice() {
    assertThatThrownBy(() -> new GpuPrice(-1)).hasMessageContaining("perGpuHourMicros");
  }
}
