package dev.silkroute.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CreditHoldsTest {

  private final RedisKeys keys = new RedisKeys("silkroute:");

  @Test
  void aRecordReadsBackAsTheHoldItWasWrittenFor() {
    Instant due = Instant.parse("2026-12-07T14:30:00.123Z");
    String tokens = keys.tokensInMinute("key_1", due);

    CreditHolds.Hold hold = CreditHolds.Hold.parse(CreditHolds.record(due, 300_000, 1_000,
        keys.balance("cus_1"), keys.keySpend("key_1"), tokens));

    assertThat(hold).isEqualTo(new CreditHolds.Hold(false, due, 300_000, 1_000, keys.balance("cus_1"),
        keys.keySpend("key_1"), tokens));
  }

  @Test
  void aKeyWithoutATokenLimitHoldsNoTokenCounter() {
    String record = CreditHolds.record(Instant.EPOCH, 1, 2, keys.balance("cus_1"), keys.keySpend("key_1"), null);

    assertThat(record).endsWith(" -");
    assertThat(CreditHolds.Hold.parse(record).tokensKey()).isNull();
  }

  @Test
  void somethingElseIsNotTakenForAHold() {
    assertThatThrownBy(() -> CreditHolds.Hold.parse("{\"w\":300}")).isInstanceOf(IllegalArgumentException.class);
  }
}
