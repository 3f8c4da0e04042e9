package dev.silkroute.router.routing;

import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.usage.UsageObserver;

/**
 * Each endpoint's token mix, learnt from the usage events the router publishes: how much of its
 * prompts its provider served from a prompt cache, and how long its prompts and answers are. Every
 * served generation adds its tokens to the endpoint's shared statistics ({@link TrafficStats#usage},
 * hash fields {@value #GENERATIONS}, {@value #PROMPT_TOKENS}, {@value #COMPLETION_TOKENS},
 * {@value #CACHED_TOKENS} beside the outcome counters), so every replica sees one mix; routing reads it
 * from {@link EndpointStats#mix()} to price a request at what it will really cost ({@link EffectiveCost}).
 */
public final class TokenMix implements UsageObserver {

  /** Statistics hash fields: generations with usage, and their prompt, completion and cached prompt tokens. */
  static final String GENERATIONS = "gen";
  static final String PROMPT_TOKENS = "pt";
  static final String COMPLETION_TOKENS = "ct";
  static final String CACHED_TOKENS = "cpt";

  /** Fewer generations than this say nothing about an endpoint's mix. */
  static final long MIN_GENERATIONS = 5;

  private final TrafficStats stats;

  public TokenMix(TrafficStats stats) {
    this.stats = stats;
  }

  /**
   * Counts a served generation's tokens: only complete ones, with the upstream's own figures (an
   * estimate knows nothing of the cache, a cut answer is shorter than the endpoint's usual one, and
   * a hedge's losing leg was cut when the other leg won).
   */
  @Override
  public void published(UsageEvent event) {
    if (event.getStatus() != UsageStatus.USAGE_STATUS_OK || event.getUsageEstimated() || event.getHedgeLoss()
        || event.getEndpoint().isEmpty() || event.getPromptTokens() + event.getCompletionTokens() <= 0) {
      return;
    }
    stats.usage(event.getEndpoint(), event.getPromptTokens(), event.getCompletionTokens(), event.getCachedTokens());
  }

  /** The endpoint's latest mix ({@link Mix#NONE} until measured). */
  public Mix mix(String endpointId) {
    return stats.stats(endpointId).mix();
  }

  /**
   * One endpoint's generations summed over a window.
   *
   * @param generations      how many
   * @param cachedShare      cached prompt tokens / prompt tokens, in [0, 1]
   * @param meanPrompt       prompt tokens per generation
   * @param meanCompletion   completion tokens per generation
   */
  public record Mix(long generations, double cachedShare, double meanPrompt, double meanCompletion) {

    public static final Mix NONE = new Mix(0, 0, 0, 0);

    static Mix of(long generations, long promptTokens, long completionTokens, long cachedTokens) {
      if (generations <= 0) {
        return NONE;
      }
      double share = promptTokens <= 0 ? 0 : Math.min(1, (double) cachedTokens / promptTokens);
      return new Mix(generations, share, (double) promptTokens / generations, (double) completionTokens / generations);
    }

    /** Whether enough generations were seen for the mix to stand for the endpoint. */
    public boolean measured() {
      return generations >= MIN_GENERATIONS;
    }
  }
}
