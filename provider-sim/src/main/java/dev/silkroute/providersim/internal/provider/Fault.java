package dev.silkroute.providersim.internal.provider;

import dev.silkroute.providersim.Knobs;
import java.util.SplittableRandom;

/** The failure, if any, a request meets before it is answered. */
public enum Fault {
  NONE, HANG, RATE_LIMITED, SERVER_ERROR;

  /**
   * Draws the fault of the {@code sequence}-th request since the knobs were set. Two independent
   * draws: first 429 with {@code rate_limit_rate}, then 500 with {@code error_rate}. A function of
   * (seed, sequence) only, so a test that sends requests one after another is repeatable.
   */
  public static Fault draw(Knobs knobs, long sequence) {
    if (knobs.neverAnswer()) {
      return HANG;
    }
    SplittableRandom random = new SplittableRandom(knobs.seed() * 0x9E3779B97F4A7C15L + sequence);
    double rateLimitDraw = random.nextDouble();
    double errorDraw = random.nextDouble();
    if (rateLimitDraw < knobs.rateLimitRate()) {
      return RATE_LIMITED;
    }
    return errorDraw < knobs.errorRate() ? SERVER_ERROR : NONE;
  }
}
