package dev.silkroute.router.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PricingTest {

  @Test
  void chargesPerMillionTokensRoundingUpToTheMicroUsd() {
    Pricing deepseek = new Pricing(270_000, 1_100_000);

    assertThat(deepseek.costMicros(1_000_000, 0)).isEqualTo(270_000);
    assertThat(deepseek.costMicros(5, 2)).isEqualTo(4); // 1.35 + 2.2 = 3.55 -> 4
    assertThat(deepseek.costMicros(0, 0)).isZero();
  }

  @Test
  void chargesCachedPromptTokensAtTheCachedPrice() {
    Pricing deepseek = new Pricing(270_000, 1_100_000, 70_000);

    assertThat(deepseek.costMicros(1_000_000, 1_000_000, 0)).isEqualTo(70_000);
    assertThat(deepseek.costMicros(1_000_000, 500_000, 0)).isEqualTo(170_000);
    assertThat(deepseek.discountsCachedPrompts()).isTrue();
    assertThat(new Pricing(1, 1).discountsCachedPrompts()).isFalse();
  }

  @Test
  void rejectsNegativePrices() {
    assertThatThrownBy(() -> new Pricing(-1, 0)).hasMessageContaining("prompt=-1");
  }
}
