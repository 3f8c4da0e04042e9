package dev.silkroute.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class KeyLimitsTest {

  @Test
  void writesOnlyTheLimitsThatAreSetAndReadsThemBack() {
    KeyLimits limits = KeyLimits.of(OptionalLong.of(500), OptionalLong.empty(), OptionalLong.of(9000),
        List.of("c/d", "a/b"));

    assertThat(limits.hashFields()).containsExactly(Map.entry("credit_limit_micros", "500"),
        Map.entry("tpm", "9000"), Map.entry("allowed_models", "c/d,a/b"));
    assertThat(limits.absentHashFields()).containsExactly("rpm");
    assertThat(KeyLimits.fromHash(limits.hashFields())).isEqualTo(limits);
  }

  @Test
  void noLimitsWriteNoFieldsAndDeleteThemAll() {
    assertThat(KeyLimits.NONE.hashFields()).isEmpty();
    assertThat(KeyLimits.NONE.absentHashFields()).containsExactlyElementsOf(KeyLimits.FIELDS);
    assertThat(KeyLimits.fromHash(Map.of())).isEqualTo(KeyLimits.NONE);
  }

  @Test
  void anUnreadableLimitRefusesEverythingInsteadOfBecomingUnlimited() {
    KeyLimits limits = KeyLimits.fromHash(Map.of("rpm", "60", "tpm", "", "credit_limit_micros", "x",
        "allowed_models", " a/b , ,c/d"));

    assertThat(limits.requestsPerMinute()).hasValue(60);
    assertThat(limits.tokensPerMinute()).isEmpty();
    assertThat(limits.creditLimitMicros()).hasValue(0);
    assertThat(limits.allowedModels()).containsExactly("a/b", "c/d");
    assertThat(limits.allowsModel("a/b")).isTrue();
    assertThat(limits.allowsModel("e/f")).isFalse();
    assertThat(KeyLimits.NONE.allowsModel("e/f")).isTrue();
  }
}
