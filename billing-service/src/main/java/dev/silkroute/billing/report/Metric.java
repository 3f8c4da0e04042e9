package dev.silkroute.billing.report;

/** What is summed: tokens (prompt + completion), spend (customer price, micro-USD) or requests. */
public enum Metric {
  TOKENS("tokens", "tokens", "prompt_tokens + completion_tokens",
      "prompt_tokens + completion_tokens"),
  SPEND("spend", "price_micros", "price_micros", "price_micros"),
  REQUESTS("requests", "requests", "1", "requests");

  private final String wire;
  final String hourlyExpr;
  final String ledgerExpr;
  final String dailyExpr;

  Metric(String wire, String hourlyExpr, String ledgerExpr, String dailyExpr) {
    this.wire = wire;
    this.hourlyExpr = hourlyExpr;
    this.ledgerExpr = ledgerExpr;
    this.dailyExpr = dailyExpr;
  }

  public String wire() {
    return wire;
  }

  public static Metric ofWire(String s) {
    for (Metric m : values()) {
      if (m.wire.equals(s)) {
        return m;
      }
    }
    throw new IllegalArgumentException("metric must be one of tokens, spend, requests");
  }
}
