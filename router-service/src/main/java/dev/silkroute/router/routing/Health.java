package dev.silkroute.router.routing;

/** Where an endpoint ranks by its recent uptime and circuit: healthy first, down only as a last resort. */
public enum Health {
  /** Uptime at least 95%, or not enough traffic to say otherwise. */
  HEALTHY,
  /** Uptime under 95%, or a circuit probing after being open. */
  DEGRADED,
  /** Uptime under 80%, or an open circuit. */
  DOWN
}
