package dev.silkroute.router.catalog;

/**
 * An endpoint's list prices, in micro-USD per million tokens (so $0.27 / M tokens is 270_000).
 * Integer micro-USD per million keeps every price a catalog can state exact.
 */
public record Pricing(long promptMicrosPerMillion, long completionMicrosPerMillion) {

  public Pricing {
    if (promptMicrosPerMillion < 0 || completionMicrosPerMillion < 0) {
      throw new IllegalArgumentException("prices must be >= 0, got prompt=" + promptMicrosPerMillion
          + " completion=" + completionMicrosPerMillion);
    }
  }

  /** What the given tokens cost at these prices, micro-USD, rounded up to the next micro-USD. */
  public long costMicros(long promptTokens, long completionTokens) {
    return ceilDiv(promptTokens * promptMicrosPerMillion + completionTokens * completionMicrosPerMillion,
        1_000_000L);
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }
}
