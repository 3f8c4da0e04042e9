package dev.silkroute.worker.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.worker.ManualClock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenRateTest {
  private final ManualClock clock = new ManualClock();
  private final TokenRate rate = new TokenRate(clock);

  @Test
  void countsTokensOfTheLastSecondOnly() {
    rate.add(30);
    clock.advance(500, TimeUnit.MILLISECONDS);
    rate.add(20);
    assertThat(rate.perSecond()).isEqualTo(50);

    clock.advance(600, TimeUnit.MILLISECONDS); // the first 30 are now 1.1 s old
    assertThat(rate.perSecond()).isEqualTo(20);

    clock.advance(5, TimeUnit.SECONDS);
    assertThat(rate.perSecond()).isZero();
  }
}
