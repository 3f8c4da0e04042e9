package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Pricing;
import java.util.OptionalLong;

/**
 * What one request is expected to cost at an endpoint, given what the endpoint's traffic showed
 * ({@link TokenMix.Mix}), and the score the default order draws by:
 *
 * <pre>
 *   cost  = prompt tokens x (prompt price x (1 - cached share) + cached price x cached share)
 *         + expected completion tokens x completion price
 *   score = cost x (1 + predicted TTFT / 20 s) / uptime^2        (lower is better; drawn by 1/score^2)
 * </pre>
 *
 * Expected completion tokens are the endpoint's measured mean, else the mean of the model's measured
 * endpoints, else {@value #DEFAULT_COMPLETION_TOKENS}; never more than the request's {@code max_tokens}.
 * The cached share is 0 until measured (list price). Predicted TTFT is a worker's queue-based
 * prediction, else the endpoint's measured p50, else 0; uptime is the measured one (1 until measured,
 * at least {@value #MIN_UPTIME}). Plain arithmetic on doubles: a ranking, never a charge.
 */
public final class EffectiveCost {

  /** Completion tokens assumed when no endpoint of the model was measured. */
  static final long DEFAULT_COMPLETION_TOKENS = 256;
  /** A TTFT this long doubles an endpoint's score. */
  static final double TTFT_SCALE_MS = 20_000;
  // Multiplications rather than divisions: this runs for every candidate of every decision.
  private static final double PER_TTFT_MS = 1 / TTFT_SCALE_MS;
  private static final double PER_MILLION = 1e-6;
  static final double MIN_UPTIME = 0.05;
  /** Scores are at least this, so that a free endpoint's weight 1/score^2 stays finite. */
  static final double MIN_SCORE = 1e-9;

  private EffectiveCost() {
  }

  /**
   * What the request brings to every endpoint of one decision.
   *
   * @param promptTokens         the prompt's estimated tokens
   * @param maxTokens            the request's cap on completion tokens
   * @param completionFallback   expected completion tokens where an endpoint's mix is not measured
   */
  public record Demand(long promptTokens, OptionalLong maxTokens, double completionFallback) {

    /** The tokens an endpoint with this mix is expected to generate. */
    double completion(TokenMix.Mix mix) {
      double mean = mix.measured() ? mix.meanCompletion() : completionFallback;
      return maxTokens.isPresent() ? Math.min(maxTokens.getAsLong(), mean) : mean;
    }
  }

  /** The expected cost at list prices (no prompt served from a cache), micro-USD. */
  public static double listCost(Pricing price, Demand demand, TokenMix.Mix mix) {
    return (demand.promptTokens() * (double) price.promptMicrosPerMillion()
        + demand.completion(mix) * price.completionMicrosPerMillion()) / 1e6;
  }

  /** The expected cost with the endpoint's measured cached share, micro-USD. */
  public static double cost(Pricing price, Demand demand, TokenMix.Mix mix) {
    double share = cachedShare(mix);
    double promptPrice = price.promptMicrosPerMillion() * (1 - share) + price.cachedPromptMicrosPerMillion() * share;
    return (demand.promptTokens() * promptPrice + demand.completion(mix) * price.completionMicrosPerMillion())
        * PER_MILLION;
  }

  /** The measured cached share, 0 until measured. */
  public static double cachedShare(TokenMix.Mix mix) {
    return mix.measured() ? mix.cachedShare() : 0;
  }

  /** The endpoint's score for the request: lower is better. */
  public static double score(Endpoint endpoint, EndpointStats stats, Demand demand) {
    return score(cost(endpoint.price(), demand, stats.mix()), predictedTtftMs(endpoint, stats), stats.uptime());
  }

  static double score(double costMicros, long predictedTtftMs, double uptime) {
    double score = costMicros * (1 + Math.max(0, predictedTtftMs) * PER_TTFT_MS);
    if (uptime < 1) { // NaN (unmeasured) and 1 leave the score as it is
      double up = Math.max(MIN_UPTIME, uptime);
      score /= up * up;
    }
    return Math.max(MIN_SCORE, score);
  }

  /** A worker's queue-based prediction, else the measured p50, else 0. */
  static long predictedTtftMs(Endpoint endpoint, EndpointStats stats) {
    long predicted = endpoint.traits().predictedTtftMs();
    if (predicted >= 0) {
      return predicted;
    }
    return Math.max(0, stats.ttftP50Ms());
  }

  /**
   * The endpoint's effective price of prompt tokens, micro-USD per million: list and cached prices
   * blended by its measured cached share (what the endpoints API shows beside the list price).
   */
  public static long effectivePromptMicrosPerMillion(Pricing price, TokenMix.Mix mix) {
    double share = cachedShare(mix);
    return Math.round(price.promptMicrosPerMillion() * (1 - share) + price.cachedPromptMicrosPerMillion() * share);
  }
}
