package dev.silkroute.billing.report;

/** What usage is grouped by: the wire name (query parameter, {@code usage_hourly.dimension}). */
public enum Dimension {
  AUTHOR("author", "model_author"),
  MODEL("model", "model"),
  PROVIDER("provider", "provider"),
  CUSTOMER("customer", "customer_id");

  private final String wire;
  private final String column;

  Dimension(String wire, String column) {
    this.wire = wire;
    this.column = column;
  }

  public String wire() {
    return wire;
  }

  /** Column in {@code ledger} and {@code usage_daily}; empty text stands for "not given". */
  String ledgerValue() {
    return "coalesce(" + column + ", '')";
  }

  String dailyColumn() {
    return column;
  }

  public static Dimension ofWire(String s) {
    for (Dimension d : values()) {
      if (d.wire.equals(s)) {
        return d;
      }
    }
    throw new IllegalArgumentException("by must be one of author, model, provider, customer");
  }
}
