package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * Tokens an upstream reports for one generation. Cached and reasoning tokens are subsets.
 *
 * @param providerCostMicros what serving it cost us, micro-USD, when the upstream states it (a
 *     self-hosted worker measures its GPU time); empty means the endpoint's list cost applies
 */
public record TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens,
                         OptionalLong providerCostMicros) {

  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

  public TokenUsage {
    if (providerCostMicros == null) {
      providerCostMicros = OptionalLong.empty();
    }
  }

  /** Usage whose cost follows from the endpoint's list prices. */
  public TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    this(promptTokens, completionTokens, cachedTokens, reasoningTokens, OptionalLong.empty());
  }

  /** Reads OpenAI's usage object (absent fields count as zero). */
  public static TokenUsage fromOpenAi(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return NONE;
    }
    return new TokenUsage(usage.path("prompt_tokens").asLong(), usage.path("completion_tokens").asLong(),
        usage.path("prompt_tokens_details").path("cached_tokens").asLong(),
        usage.path("completion_tokens_details").path("reasoning_tokens").asLong());
  }
}
