package dev.silkroute.router.hedge;

import dev.silkroute.router.routing.EndpointStats;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a request whose first token is late gets a second leg at the next candidate (a hedge), and
 * how many hedges the router may start.
 *
 * <p>The delay is the endpoint's p95 time to first token (to the whole answer, not streamed): a first
 * token later than that is among the slowest 5% the endpoint gives, and the next candidate's usual
 * answer is likely sooner. The shared statistics keep p90 and p99; p95 lies between them as it does
 * in an exponential tail, {@code p90 + log(2)/log(10) x (p99 - p90)} (the p-th quantile of an
 * exponential grows with -log(1 - p)). The delay is kept within {@code floor} and {@code ceiling}, and
 * is the ceiling for an endpoint without a record. The budget ({@link HedgeBudget}) keeps hedges to
 * {@code max-share-percent} of requests per window plus {@code reserve-per-window}.
 */
public final class HedgePolicy {

  /** Where p95 lies between p90 and p99 in an exponential tail: log(20/10) / log(100/10). */
  static final double P95_BETWEEN_P90_AND_P99 = Math.log(2) / Math.log(10);

  private final HedgeSettings settings;
  private final HedgeBudget budget;

  public HedgePolicy(HedgeSettings settings, LongSupplier nanos) {
    this.settings = settings;
    this.budget = new HedgeBudget(settings.maxSharePercent(), settings.reservePerWindow(), settings.window(), nanos);
  }

  /** Never hedges. */
  public static HedgePolicy off() {
    return new HedgePolicy(HedgeSettings.ofDefaults(), System::nanoTime);
  }

  public boolean enabled() {
    return settings.enabled();
  }

  /** A request that may be hedged began: it adds its share to the budget. */
  public void requested() {
    if (settings.enabled()) {
      budget.request();
    }
  }

  /** How long a leg at an endpoint with record {@code stats} waits for its first token before it is hedged. */
  public Duration delay(EndpointStats stats, boolean streamed) {
    long p90 = streamed ? stats.ttftP90Ms() : stats.latencyP90Ms();
    long p99 = streamed ? stats.ttftP99Ms() : stats.latencyP99Ms();
    long p95;
    if (p90 >= 0 && p99 >= 0) {
      p95 = Math.round(p90 + P95_BETWEEN_P90_AND_P99 * Math.max(0, p99 - p90));
    } else if (p90 >= 0 || p99 >= 0) {
      p95 = Math.max(p90, p99);
    } else {
      return settings.ceiling();
    }
    return Duration.ofMillis(Math.max(settings.floor().toMillis(), Math.min(settings.ceiling().toMillis(), p95)));
  }

  /** Takes a hedge from the budget: false when hedging is off or the window's hedges are spent. */
  public boolean tryHedge() {
    return settings.enabled() && budget.tryAcquire();
  }

  /** Gives back a hedge taken by {@link #tryHedge()} that could not start. */
  public void unused() {
    budget.release();
  }
}
