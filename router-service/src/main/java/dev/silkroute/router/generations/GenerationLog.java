package dev.silkroute.router.generations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.usage.UsageObserver;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.api.sync.RedisStringCommands;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps each generation's summary in Redis for a while after it ended, so a client can look up what
 * a request cost and how it went ({@code GET /v1/generation?id=}), as OpenRouter allows. Written
 * without waiting, from the usage event every request ends with.
 */
public final class GenerationLog implements UsageObserver {

  private final RedisStringAsyncCommands<String, String> writes;
  private final RedisStringCommands<String, String> reads;
  private final ObjectMapper json;
  private final String keyPrefix;
  private final Duration retention;

  public GenerationLog(RedisStringAsyncCommands<String, String> writes, RedisStringCommands<String, String> reads,
                       ObjectMapper json, String keyPrefix, Duration retention) {
    this.writes = writes;
    this.reads = reads;
    this.json = json;
    this.keyPrefix = keyPrefix;
    this.retention = retention;
  }

  @Override
  public void published(UsageEvent event) {
    ObjectNode entry = json.createObjectNode();
    entry.put("customer_id", event.getCustomerId()); // for the ownership check; never shown
    entry.set("data", summary(event));
    writes.set(key(event.getEventId()), entry.toString(), SetArgs.Builder.ex(retention));
  }

  /** The generation's summary, if it belongs to this customer and is still kept. */
  public Optional<ObjectNode> find(String generationId, String customerId) {
    String stored = reads.get(key(generationId));
    if (stored == null) {
      return Optional.empty();
    }
    try {
      ObjectNode entry = (ObjectNode) json.readTree(stored);
      if (!customerId.equals(entry.path("customer_id").asText())) {
        return Optional.empty(); // someone else's: as good as absent
      }
      return Optional.of((ObjectNode) entry.get("data"));
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }

  private ObjectNode summary(UsageEvent event) {
    ObjectNode data = json.createObjectNode();
    data.put("id", event.getEventId())
        .put("model", event.getModel())
        .put("provider_name", event.getProvider())
        .put("created_at", Instant.ofEpochSecond(event.getStartedAt().getSeconds(), event.getStartedAt().getNanos())
            .toString())
        .put("streamed", event.getStreamed())
        .put("cancelled", event.getStatus() == UsageStatus.USAGE_STATUS_CANCELLED)
        .put("status", event.getStatus().name().substring("USAGE_STATUS_".length()).toLowerCase(java.util.Locale.ROOT))
        .put("finish_reason", event.getFinishReason())
        .put("latency", event.getLatencyMs())
        .put("time_to_first_token", event.getTimeToFirstTokenMs())
        .put("generation_time", event.getGenerationMs())
        .put("tokens_prompt", event.getPromptTokens())
        .put("tokens_completion", event.getCompletionTokens())
        .put("native_tokens_cached", event.getCachedTokens())
        .put("native_tokens_reasoning", event.getReasoningTokens())
        .put("total_cost", BigDecimal.valueOf(event.getPriceMicros(), 6))
        .put("attempts", event.getAttempts())
        .put("endpoint", event.getEndpoint());
    return data;
  }

  private String key(String generationId) {
    return keyPrefix + "generation:" + generationId;
  }
}
