package dev.silkroute.router.generations;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.usage.UsageObserver;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisStringAsyncCommands;
import io.lettuce.core.api.sync.RedisStringCommands;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keeps each generation's summary in Redis for a while after it ended, so a client can look up what
 * a request cost and how it went ({@code GET /v1/generation?id=}), as OpenRouter allows. Written
 * without waiting, from the usage event every request ends with: the event's own protobuf bytes are
 * kept, and the JSON summary is built only when someone asks (rarely), not on every request's path.
 */
public final class GenerationLog implements UsageObserver {

  private final Supplier<? extends RedisStringAsyncCommands<String, String>> writes;
  private final RedisStringCommands<String, String> reads;
  private final ObjectMapper json;
  private final String keyPrefix;
  private final Duration retention;

  /**
   * @param writes the connection to write on from the calling thread: a request's own event loop's
   *               (the write then leaves with the request's settlement), else a shared one
   */
  public GenerationLog(Supplier<? extends RedisStringAsyncCommands<String, String>> writes,
                       RedisStringCommands<String, String> reads, ObjectMapper json, String keyPrefix,
                       Duration retention) {
    this.writes = writes;
    this.reads = reads;
    this.json = json;
    this.keyPrefix = keyPrefix;
    this.retention = retention;
  }

  @Override
  public void published(UsageEvent event) {
    String stored = Base64.getEncoder().encodeToString(event.toByteArray());
    writes.get().set(key(event.getEventId()), stored, SetArgs.Builder.ex(retention));
  }

  /** The generation's summary, if it belongs to this customer and is still kept. */
  public Optional<ObjectNode> find(String generationId, String customerId) {
    String stored = reads.get(key(generationId));
    if (stored == null) {
      return Optional.empty();
    }
    UsageEvent event;
    try {
      event = UsageEvent.parseFrom(Base64.getDecoder().decode(stored));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      return Optional.empty(); // not one of ours (or from an older format): as good as absent
    }
    if (!customerId.equals(event.getCustomerId())) {
      return Optional.empty(); // someone else's: as good as absent
    }
    return Optional.of(summary(event));
  }

  /**
   * OpenRouter's generation object, every field of it: what the usage event knows (model, provider,
   * times in milliseconds, token counts as the upstream reported them, the price charged in USD),
   * and what Silkroute does not have null or zero, as OpenRouter writes it for a generation without
   * it: no app, preset, workspace, BYOK, moderation, web search, media or the upstream's own ids and
   * finish reason (they are not kept). Then Silkroute's own fields: {@code status},
   * {@code attempts} (endpoints tried), {@code endpoint} (the one that answered),
   * {@code usage_estimated} (tokens counted by the router where the upstream reported none).
   */
  private ObjectNode summary(UsageEvent event) {
    BigDecimal charged = BigDecimal.valueOf(event.getPriceMicros(), 6);
    ObjectNode data = json.createObjectNode();
    data.put("id", event.getEventId())
        .putNull("upstream_id")
        .put("total_cost", charged)
        .putNull("cache_discount")
        .putNull("upstream_inference_cost")
        .put("created_at", Instant.ofEpochSecond(event.getStartedAt().getSeconds(), event.getStartedAt().getNanos())
            .toString())
        .put("model", event.getModel())
        .putNull("app_id")
        .put("streamed", event.getStreamed())
        .put("cancelled", event.getStatus() == UsageStatus.USAGE_STATUS_CANCELLED)
        .put("provider_name", event.getProvider())
        .put("latency", event.getLatencyMs())
        .putNull("moderation_latency")
        .put("generation_time", event.getGenerationMs())
        .put("finish_reason", event.getFinishReason().isEmpty() ? null : event.getFinishReason())
        .putNull("native_finish_reason")
        .putNull("service_tier")
        .put("tokens_prompt", event.getPromptTokens())
        .put("tokens_completion", event.getCompletionTokens())
        // The counts are the upstream's own (its tokenizer), as OpenRouter's native_tokens_* are.
        .put("native_tokens_prompt", event.getPromptTokens())
        .put("native_tokens_completion", event.getCompletionTokens())
        .put("native_tokens_completion_images", 0)
        .put("native_tokens_reasoning", event.getReasoningTokens())
        .put("native_tokens_cached", event.getCachedTokens())
        .put("num_media_prompt", 0)
        .put("num_input_audio_prompt", 0)
        .put("num_media_completion", 0)
        .put("num_search_results", 0)
        .put("num_fetches", 0)
        .putNull("web_search_engine")
        .put("origin", "")
        .put("usage", charged)
        .put("is_byok", false)
        .putNull("external_user")
        .put("api_type", "completions")
        .putNull("preset_id")
        .putNull("router")
        .putNull("provider_responses")
        .putNull("user_agent")
        .putNull("http_referer")
        .put("data_region", "global")
        .putNull("workspace_id")
        .put("status", event.getStatus().name().substring("USAGE_STATUS_".length()).toLowerCase(java.util.Locale.ROOT))
        .put("time_to_first_token", event.getTimeToFirstTokenMs())
        .put("attempts", event.getAttempts())
        .put("endpoint", event.getEndpoint())
        .put("usage_estimated", event.getUsageEstimated());
    return data;
  }

  private String key(String generationId) {
    return keyPrefix + "generation:" + generationId;
  }
}
