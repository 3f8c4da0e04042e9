package dev.silkroute.router.routing;

import java.util.Locale;

/** How an attempt at an endpoint was late, beyond its {@link Outcome}: what the timeouts caught. */
public enum Lateness {
  /** Nothing came within the attempt's first-byte timeout: given up, the next endpoint tried. */
  FIRST_BYTE_TIMEOUT,
  /** The stream started, then went silent past the stall timeout: ended with an error chunk. */
  STALL,
  /** Served, but its first byte took longer than the timeout it was given (a last candidate, never cut off). */
  SLOW;

  /** Its name in statistics, metrics and the endpoints API: "first_byte_timeout", "stall", "slow". */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
