package dev.silkroute.router.catalog;

/**
 * An endpoint's list prices, in micro-USD per million tokens (so $0.27 / M tokens is 270_000).
 * Integer micro-USD per million keeps every price a catalog can state exact.
 *
 * @param promptMicrosPerMillion       uncached prompt (input) tokens
 * @param completionMicrosPerMillion   completion (output) tokens, reasoning included
 * @param cachedPromptMicrosPerMillion prompt tokens the provider serves from its prompt cache; equal to
 *                                     the prompt price where the provider has no cache discount
 */
public record Pricing(long promptMicrosPerMillion, long completionMicrosPerMillion,
                      long cachedPromptMicrosPerMillion) {

  public Pricing {
    if (promptMicrosPerMillion < 0 || completionMicrosPerMillion < 0 || cachedPromptMicrosPerMillion < 0) {
      throw new IllegalArgumentException("prices must be >= 0, got prompt=" + promptMicrosPerMillion
          + " completion=" + completionMicrosPerMillion + " cached_prompt=" + cachedPromptMicrosPerMillion);
    }
  }

  /** Prices without a prompt-cache discount. */
  public Pricing(long promptMicrosPerMillion, long completionMicrosPerMillion) {
    this(promptMicrosPerMillion, completionMicrosPerMillion, promptMicrosPerMillion);
  }

  public static final Pricing FREE = new Pricing(0, 0, 0);

  /** What the given tokens cost at these prices, micro-USD, rounded up to the next micro-USD. */
  public long costMicros(long promptTokens, long completionTokens) {
    return ceilDiv(promptTokens * promptMicrosPerMillion + completionTokens * completionMicrosPerMillion,
        1_000_000L);
  }

  /**
   * As {@link #costMicros(long, long)}, with {@code cachedTokens} of the prompt (included in
   * {@code promptTokens}, as OpenAI reports them) charged at the cached price.
   */
  public long costMicros(long promptTokens, long cachedTokens, long completionTokens) {
    long cached = Math.min(Math.max(cachedTokens, 0), promptTokens);
    return ceilDiv((promptTokens - cached) * promptMicrosPerMillion + cached * cachedPromptMicrosPerMillion
        + completionTokens * completionMicrosPerMillion, 1_000_000L);
  }

  /** Prompt plus completion price: the one number routing compares endpoints by. */
  public long blendedMicrosPerMillion() {
    return promptMicrosPerMillion + completionMicrosPerMillion;
  }

  public boolean isFree() {
    return promptMicrosPerMillion == 0 && completionMicrosPerMillion == 0;
  }

  /** Whether a cached prompt is cheaper here, so a session gains by staying on this endpoint. */
  public boolean discountsCachedPrompts() {
    return cachedPromptMicrosPerMillion < promptMicrosPerMillion;
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }
}
