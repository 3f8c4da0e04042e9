package dev.silkroute.router.routing;

/** {@code provider.sort}: a strict order instead of price-weighted load balancing. */
public enum Sort {
  /** Lowest blended price (prompt + completion per million tokens) first. */
  PRICE,
  /** Lowest median time to first token first; endpoints without measurements after those with. */
  LATENCY,
  /** Highest median generation speed (tokens per second) first; unmeasured last. */
  THROUGHPUT
}
