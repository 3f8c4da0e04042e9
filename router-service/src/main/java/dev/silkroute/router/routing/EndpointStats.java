package dev.silkroute.router.routing;

/**
 * An endpoint's recent record, from real traffic. Uptime is ok / (ok + provider errors), caller
 * errors excluded; NaN where a window saw no counted request. Times are milliseconds (-1 = no
 * measurement), throughput is completion tokens per second of generation (-1 = none). The last three
 * count attempts over 30 minutes that were late (see {@link Lateness}): given up at their first-byte
 * timeout, streams ended for stalling, and slow calls. The last four complete the percentile sets
 * OpenRouter publishes (time to first token p75, throughput p75/p90/p99), -1 where not measured.
 * {@code mix} is what the endpoint's generations looked like ({@link TokenMix.Mix}: cached share of
 * the prompt, mean prompt and completion tokens), over 30 minutes, else over the day.
 */
public record EndpointStats(long requests5m, double uptime5m, long requests30m, double uptime30m,
                            long requests1d, double uptime1d, long latencyP50Ms, long latencyP90Ms,
                            long latencyP99Ms, long ttftP50Ms, long ttftP90Ms, long ttftP99Ms, long throughputP50,
                            long firstByteTimeouts30m, long stalls30m, long slowCalls30m,
                            long ttftP75Ms, long throughputP75, long throughputP90, long throughputP99,
                            TokenMix.Mix mix) {

  public static final EndpointStats NONE = new EndpointStats(0, Double.NaN, 0, Double.NaN, 0, Double.NaN,
      -1, -1, -1, -1, -1, -1, -1);

  public EndpointStats {
    mix = mix == null ? TokenMix.Mix.NONE : mix;
  }

  /** Statistics without a token mix. */
  public EndpointStats(long requests5m, double uptime5m, long requests30m, double uptime30m, long requests1d,
                       double uptime1d, long latencyP50Ms, long latencyP90Ms, long latencyP99Ms, long ttftP50Ms,
                       long ttftP90Ms, long ttftP99Ms, long throughputP50, long firstByteTimeouts30m,
                       long stalls30m, long slowCalls30m, long ttftP75Ms, long throughputP75, long throughputP90,
                       long throughputP99) {
    this(requests5m, uptime5m, requests30m, uptime30m, requests1d, uptime1d, latencyP50Ms, latencyP90Ms,
        latencyP99Ms, ttftP50Ms, ttftP90Ms, ttftP99Ms, throughputP50, firstByteTimeouts30m, stalls30m,
        slowCalls30m, ttftP75Ms, throughputP75, throughputP90, throughputP99, TokenMix.Mix.NONE);
  }

  /** Statistics without the p75s and the upper throughput percentiles. */
  public EndpointStats(long requests5m, double uptime5m, long requests30m, double uptime30m, long requests1d,
                       double uptime1d, long latencyP50Ms, long latencyP90Ms, long latencyP99Ms, long ttftP50Ms,
                       long ttftP90Ms, long ttftP99Ms, long throughputP50, long firstByteTimeouts30m,
                       long stalls30m, long slowCalls30m) {
    this(requests5m, uptime5m, requests30m, uptime30m, requests1d, uptime1d, latencyP50Ms, latencyP90Ms,
        latencyP99Ms, ttftP50Ms, ttftP90Ms, ttftP99Ms, throughputP50, firstByteTimeouts30m, stalls30m,
        slowCalls30m, -1, -1, -1, -1);
  }

  /** Statistics without lateness counts. */
  public EndpointStats(long requests5m, double uptime5m, long requests30m, double uptime30m, long requests1d,
                       double uptime1d, long latencyP50Ms, long latencyP90Ms, long latencyP99Ms, long ttftP50Ms,
                       long ttftP90Ms, long ttftP99Ms, long throughputP50) {
    this(requests5m, uptime5m, requests30m, uptime30m, requests1d, uptime1d, latencyP50Ms, latencyP90Ms,
        latencyP99Ms, ttftP50Ms, ttftP90Ms, ttftP99Ms, throughputP50, 0, 0, 0);
  }

  /** Fewer requests than this in a window say nothing about uptime; the next longer window is used. */
  static final int MIN_REQUESTS = 5;

  /** Uptime over the shortest window with enough requests; NaN when none has. */
  public double uptime() {
    if (requests5m >= MIN_REQUESTS) {
      return uptime5m;
    }
    if (requests30m >= MIN_REQUESTS) {
      return uptime30m;
    }
    if (requests1d >= MIN_REQUESTS) {
      return uptime1d;
    }
    return Double.NaN;
  }
}
