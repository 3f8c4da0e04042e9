package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.provider.TokenUsage;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.RouteDecision;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shapes of what the router says about a generation: OpenAI's with OpenRouter's additions (the
 * {@code gen-} id, {@code provider}, {@code usage.cost}), for the whole answer, the closing usage
 * chunk and the error chunk of a stream, and the error when every endpoint failed.
 */
public final class Answers {

  private final ObjectMapper json;

  Answers(ObjectMapper json) {
    this.json = json;
  }

  /** Rewrites the upstream's non-streamed answer in place: it was parsed for this request alone. */
  ObjectNode whole(ObjectNode body, Generation generation, List<RouteDecision> routing) {
    body.put("id", generation.id());
    body.put("model", generation.model().id());
    body.put("provider", generation.endpoint().provider());
    body.set("usage", usage(generation));
    if (routing != null) {
      body.set("routing", RouteDecision.metadata(routing));
    }
    return body;
  }

  /** A streamed chunk of the upstream's, rewritten in place as the router's. */
  static void ours(ObjectNode chunk, Generation generation) {
    chunk.put("id", generation.id()).put("model", generation.model().id())
        .put("provider", generation.endpoint().provider());
  }

  /** The stream's last chunk: no choices, the usage with its cost, and the routing block when asked for. */
  ObjectNode usageChunk(Generation generation, long created, List<RouteDecision> routing) {
    ObjectNode chunk = chunkHeader(generation, created);
    chunk.putArray("choices");
    chunk.set("usage", usage(generation));
    if (routing != null) {
      chunk.set("routing", RouteDecision.metadata(routing));
    }
    return chunk;
  }

  /** A failure after the stream started, which can no longer change the status: OpenRouter's error chunk. */
  ObjectNode errorChunk(Generation generation, long created, Endpoint endpoint, String message) {
    ObjectNode chunk = chunkHeader(generation, created);
    ObjectNode error = chunk.putObject("error");
    error.put("message", message).put("type", "upstream_error").put("code", "provider_error");
    error.putObject("metadata").put("provider_name", endpoint.provider());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "error").putObject("delta");
    return chunk;
  }

  private ObjectNode chunkHeader(Generation generation, long created) {
    ObjectNode chunk = json.createObjectNode();
    chunk.put("id", generation.id()).put("object", "chat.completion.chunk").put("created", created)
        .put("model", generation.model().id());
    if (generation.endpoint() != null) {
      chunk.put("provider", generation.endpoint().provider());
    }
    return chunk;
  }

  private ObjectNode usage(Generation generation) {
    TokenUsage tokens = generation.usage();
    ObjectNode usage = json.createObjectNode();
    usage.put("prompt_tokens", tokens.promptTokens())
        .put("completion_tokens", tokens.completionTokens())
        .put("total_tokens", tokens.promptTokens() + tokens.completionTokens())
        // USD, as OpenRouter reports it; exact because it is derived from integer micro-USD.
        .put("cost", BigDecimal.valueOf(generation.priceMicros(), 6));
    usage.putObject("prompt_tokens_details").put("cached_tokens", tokens.cachedTokens());
    usage.putObject("completion_tokens_details").put("reasoning_tokens", tokens.reasoningTokens());
    return usage;
  }

  /**
   * What the client is told when no endpoint answered: unavailable when none could even be tried,
   * unavailable with {@code Retry-After: 1} when the last endpoint was at capacity (every worker of a
   * pool full: a slot frees up as soon as a generation ends), else the last failure (a timeout, or the
   * provider's error with its status and body in metadata). The embeddings exchange says the same.
   */
  public static RouterError allFailed(UpstreamException last) {
    if (last == null) {
      return new RouterError(ErrorKind.UNAVAILABLE,
          "No endpoint can take this request now (circuits open, capacity full or rate limits pending)", null,
          "no_endpoint_available", Map.of());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("provider_name", last.provider());
    if (last.atCapacity()) {
      metadata.put("retry_after_seconds", 1);
      return new RouterError(ErrorKind.UNAVAILABLE,
          "No endpoint could take this request now; the last tried, " + last.provider()
              + ", is at capacity: retry shortly",
          null, "capacity_full", metadata);
    }
    if (last.status() != 0) {
      metadata.put("upstream_status", last.status());
    }
    if (last.upstreamBody() != null) {
      metadata.put("raw", last.upstreamBody());
    }
    if (last.getCause() instanceof java.net.http.HttpTimeoutException) {
      return new RouterError(ErrorKind.UPSTREAM_TIMEOUT,
          "The provider did not answer in time; last: " + last.provider(), null,
          "timeout", metadata);
    }
    return RouterError.upstreamFailed("Every provider failed; last: " + last.provider() + ": " + last.getMessage(),
        metadata);
  }
}
