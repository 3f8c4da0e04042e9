package dev.silkroute.router.workers;

import dev.silkroute.router.catalog.Pricing;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Optional;

/**
 * What a worker's tokens cost us and what the customer pays for them.
 *
 * <p>Cost is the marginal cost of a token: GPU price per hour over tokens per hour, i.e. for a
 * completion token {@code pricePerGpuHour / (tokensPerSecond * 3600)}. Throughput is the best a worker
 * has shown (an idle worker reports 0 tokens/s, which would price it at infinity), else an assumed
 * default. A prompt token costs a completion token divided by {@code prefillSpeedup}: prefill
 * processes many tokens per forward pass. This is the routing estimate only; the usage event carries
 * the worker's measured GPU time times its price ({@code WorkerUsage.cost_micros}).
 *
 * <p>Customer price: the catalog's worker-pool price for the model when it states one, else the
 * highest cost among the model's live workers plus {@code marginPercent}, one price for every worker
 * of the model so that none serves at a loss and price-ordered routing leaves their load order alone.
 */
final class WorkerPricing {

  private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);
  private static final BigDecimal PER_MILLION = BigDecimal.valueOf(1_000_000);

  private final int marginPercent;
  private final double defaultTokensPerSecond;
  private final double prefillSpeedup;

  WorkerPricing(int marginPercent, double defaultTokensPerSecond, double prefillSpeedup) {
    if (marginPercent < 0) {
      throw new IllegalArgumentException("marginPercent must be >= 0, got " + marginPercent);
    }
    if (!(defaultTokensPerSecond > 0)) {
      throw new IllegalArgumentException("defaultTokensPerSecond must be > 0, got " + defaultTokensPerSecond);
    }
    if (!(prefillSpeedup >= 1)) {
      throw new IllegalArgumentException("prefillSpeedup must be >= 1, got " + prefillSpeedup);
    }
    this.marginPercent = marginPercent;
    this.defaultTokensPerSecond = defaultTokensPerSecond;
    this.prefillSpeedup = prefillSpeedup;
  }

  /** Marginal cost per million tokens, micro-USD, rounded up. */
  Pricing cost(LiveWorker worker) {
    double measured = Math.max(worker.bestTokensPerSecond(), worker.status().getTokensPerSecond());
    double tokensPerSecond = measured > 0 ? measured : defaultTokensPerSecond;
    BigDecimal completion = BigDecimal.valueOf(worker.status().getPricePerGpuHourMicros())
        .multiply(PER_MILLION)
        .divide(BigDecimal.valueOf(tokensPerSecond).multiply(SECONDS_PER_HOUR), 0, RoundingMode.CEILING);
    BigDecimal prompt = completion.divide(BigDecimal.valueOf(prefillSpeedup), 0, RoundingMode.CEILING);
    return new Pricing(prompt.longValueExact(), completion.longValueExact());
  }

  /** The pool's price, else {@code highestCost} plus the margin, rounded up. */
  Pricing price(Optional<Pricing> poolPrice, Pricing highestCost) {
    return poolPrice.orElseGet(() -> new Pricing(withMargin(highestCost.promptMicrosPerMillion()),
        withMargin(highestCost.completionMicrosPerMillion())));
  }

  private long withMargin(long micros) {
    return Math.floorDiv(micros * (100L + marginPercent) + 99, 100);
  }
}
