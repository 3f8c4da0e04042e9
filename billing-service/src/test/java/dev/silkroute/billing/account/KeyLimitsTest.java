package dev.silkroute.billing.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KeyLimitsTest {

  @Test
  void mirrorsSetLimitsAsFieldsAndListsTheOthersAsAbsent() {
    KeyLimits limits = new KeyLimits(500L, null, 9000L, List.of("a/b", "c/d"));

    assertThat(limits.redisFields()).containsExactly(
        java.util.Map.entry("credit_limit_micros", "500"), java.util.Map.entry("tpm", "9000"),
        java.util.Map.entry("allowed_models", "a/b,c/d"));
    assertThat(limits.absentRedisFields()).containsExactly("rpm");
    assertThat(KeyLimits.NONE.absentRedisFields()).hasSize(4);
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
