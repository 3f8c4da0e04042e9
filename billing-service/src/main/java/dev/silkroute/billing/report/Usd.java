package dev.silkroute.billing.report;

import java.math.BigDecimal;

/** Micro-USD as exact US dollars for JSON and CSV (six decimals, never a binary double). */
public final class Usd {

  private Usd() {
  }

  public static BigDecimal of(long micros) {
    return BigDecimal.valueOf(micros, 6);
  }
}
