package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;

/** Tokens an upstream reports for one generation. Cached and reasoning tokens are subsets. */
public record TokenUsage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {

  public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);

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
