package dev.silkroute.billing.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyLimitsTest {

  @Test
  void givesTheRoutersTheLimitsThatAreSetAndNoOthers() {
    KeyLimits limits = new KeyLimits(500L, null, 9000L, List.of("c/d", "a/b"));

    assertThat(limits.recorded()).isEqualTo(new dev.silkroute.contracts.KeyLimits(OptionalLong.of(500),
        OptionalLong.empty(), OptionalLong.of(9000), Set.of("a/b", "c/d")));
    assertThat(limits.recorded().allowedModels()).as("in the order entered").containsExactly("c/d", "a/b");
    assertThat(KeyLimits.NONE.recorded()).isEqualTo(dev.silkroute.contracts.KeyLimits.NONE);
  }

  @Test
  void rejectsNonPositiveLimitsAndModelIdsThatWouldBreakTheCommaList() {
    assertThatThrownBy(() -> new KeyLimits(0L, null, null, null))
        .hasMessageContaining("credit_limit_micros");
    assertThatThrownBy(() -> new KeyLimits(null, -1, null, null))
        .hasMessageContaining("requests_per_minute");
    assertThatThrownBy(() -> new KeyLimits(null, null, null, List.of("a,b")))
        .isInstanceOf(KeyLimits.InvalidLimitException.class);
    assertThatThrownBy(() -> new KeyLimits(null, null, null, List.of()))
        .hasMessageContaining("allowed_models");
  }
}
