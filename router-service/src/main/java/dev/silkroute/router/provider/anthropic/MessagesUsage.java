package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.provider.TokenUsage;

/**
 * Anthropic's usage in OpenAI's terms. Anthropic's {@code input_tokens} excludes tokens read from or
 * written to the prompt cache; OpenAI's {@code prompt_tokens} includes them, with the cache reads
 * repeated in {@code cached_tokens}.
 */
record MessagesUsage(long inputTokens, long cacheReadTokens, long cacheWriteTokens, long outputTokens) {

  static final MessagesUsage NONE = new MessagesUsage(0, 0, 0, 0);

  static MessagesUsage from(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return NONE;
    }
    return new MessagesUsage(usage.path("input_tokens").asLong(), usage.path("cache_read_input_tokens").asLong(),
        usage.path("cache_creation_input_tokens").asLong(), usage.path("output_tokens").asLong());
  }

  /**
   * A {@code message_delta}'s usage: output tokens are cumulative, and input counts appear only when
   * the provider revises them, so absent fields keep what {@code message_start} said.
   */
  MessagesUsage update(JsonNode usage) {
    if (usage == null || !usage.isObject()) {
      return this;
    }
    return new MessagesUsage(usage.path("input_tokens").asLong(inputTokens),
        usage.path("cache_read_input_tokens").asLong(cacheReadTokens),
        usage.path("cache_creation_input_tokens").asLong(cacheWriteTokens),
        usage.path("output_tokens").asLong(outputTokens));
  }

  long promptTokens() {
    return inputTokens + cacheReadTokens + cacheWriteTokens;
  }

  TokenUsage tokens() {
    return new TokenUsage(promptTokens(), outputTokens, cacheReadTokens, 0);
  }

  void writeTo(ObjectNode usage) {
    usage.put("prompt_tokens", promptTokens())
        .put("completion_tokens", outputTokens)
        .put("total_tokens", promptTokens() + outputTokens);
    usage.putObject("prompt_tokens_details").put("cached_tokens", cacheReadTokens);
  }
}
