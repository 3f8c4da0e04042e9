package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.api.ApiError;
import dev.silkroute.router.api.ApiException;
import dev.silkroute.router.auth.Caller;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.CandidateOrder;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.usage.UsagePublisher;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Serves one chat request: resolves the model, tries its endpoints in order until one answers
 * (moving on only while nothing has reached the client), shapes the answer as OpenAI's with
 * OpenRouter's additions ({@code gen-} id, {@code provider}, {@code usage.cost}), and publishes
 * exactly one usage event whatever happened.
 */
public final class ChatRouter {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Catalog catalog;
  private final CandidateOrder order;
  private final ProviderAdapters adapters;
  private final List<EndpointSource> sources;
  private final UsagePublisher usage;
  private final ObjectMapper json;
  private final Clock clock;
  private final LongSupplier nanos;
  private final String routerInstance;

  public ChatRouter(Catalog catalog, CandidateOrder order, List<EndpointSource> sources, ProviderAdapters adapters,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance) {
    this.catalog = catalog;
    this.order = order;
    this.sources = List.copyOf(sources);
    this.adapters = adapters;
    this.usage = usage;
    this.json = json;
    this.clock = clock;
    this.nanos = nanos;
    this.routerInstance = routerInstance;
  }

  /**
   * Fails with 404 before anything is spent when the model is unknown, and with 503 while usage
   * could not be recorded (Kafka away and the spool full): nothing is served unbilled.
   */
  public Model resolve(ChatRequest request) {
    if (!usage.acceptsRequests()) {
      throw new ApiException(new ApiError(503, "service_unavailable",
          "Usage cannot be recorded right now; try again shortly", null, "usage_spool_full", Map.of()));
    }
    return catalog.model(request.model())
        .orElseThrow(() -> new ApiException(ApiError.modelNotFound(request.model())));
  }

  public static String newGenerationId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "gen-" + HexFormat.of().formatHex(bytes);
  }

  /** A non-streamed answer: the {@code chat.completion} object the client receives. */
  public ObjectNode complete(String generationId, Caller caller, ChatRequest request) {
    Model model = resolve(request);
    Generation generation = new Generation(generationId, caller, model, false, clock.instant(), nanos.getAsLong());
    UpstreamException last = null;
    try {
      for (Endpoint endpoint : candidates(model, request)) {
        generation.attempt(endpoint);
        try {
          Completion completion = adapter(endpoint).complete(endpoint, request);
          generation.firstToken(nanos.getAsLong());
          generation.finish(UsageStatus.USAGE_STATUS_OK, completion.usage(),
              FinishReason.normalise(completion.finishReason()));
          return answer(completion.body(), generation, model);
        } catch (UpstreamException e) {
          last = e;
        }
      }
      throw new ApiException(allFailed(last));
    } finally {
      settle(generation);
    }
  }

  /**
   * A streamed answer. Every chunk goes to {@code out}; the stream always ends with the usage
   * chunk and {@code [DONE]}. Fails with {@link ApiException} only while nothing was sent, so the
   * caller can still answer an HTTP error status.
   */
  public void stream(String generationId, Caller caller, ChatRequest request, SseOut out,
           BooleanSupplier cancelled) {
    Model model = resolve(request);
    Generation generation = new Generation(generationId, caller, model, true, clock.instant(), nanos.getAsLong());
    long created = clock.instant().getEpochSecond();
    UpstreamException last = null;
    try {
      for (Endpoint endpoint : candidates(model, request)) {
        generation.attempt(endpoint);
        try {
          StreamEnd end = adapter(endpoint).stream(endpoint, request, chunk -> {
            generation.firstToken(nanos.getAsLong());
            chunk.put("id", generation.id()).put("model", model.id()).put("provider", endpoint.provider());
            out.data(chunk.toString());
          }, cancelled);
          if (cancelled.getAsBoolean()) {
            generation.finish(UsageStatus.USAGE_STATUS_CANCELLED, end.usage(), FinishReason.normalise(end.finishReason()));
            return;
          }
          if (!end.complete()) {
            generation.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
            out.data(errorChunk(generation, model, created, endpoint,
                "provider's stream ended before it finished").toString());
          } else {
            generation.finish(UsageStatus.USAGE_STATUS_OK, end.usage(), FinishReason.normalise(end.finishReason()));
          }
          out.data(usageChunk(generation, model, created).toString());
          out.done();
          return;
        } catch (UpstreamException e) {
          last = e;
          if (generation.started()) {
            // Past the first byte the status is sent: the failure travels in the stream.
            // A connection that broke is a truncated generation; an error the provider sent is an error.
            UsageStatus status = e.getCause() instanceof java.io.IOException
                ? UsageStatus.USAGE_STATUS_TRUNCATED : UsageStatus.USAGE_STATUS_ERROR;
            generation.finish(status, generation.usage(), "error");
            out.data(errorChunk(generation, model, created, endpoint, e.getMessage()).toString());
            out.data(usageChunk(generation, model, created).toString());
            out.done();
            return;
          }
        }
      }
      throw new ApiException(allFailed(last));
    } finally {
      settle(generation);
    }
  }

  private List<Endpoint> candidates(Model model, ChatRequest request) {
    // An endpoint whose protocol no adapter speaks cannot be tried; it is left out, not failed.
    List<Endpoint> available = new ArrayList<>(model.endpoints());
    sources.forEach(source -> available.addAll(source.endpoints(model)));
    return order.order(model, available, request).stream()
        .filter(endpoint -> adapters.forEndpoint(endpoint).isPresent())
        .toList();
  }

  private ProviderAdapter adapter(Endpoint endpoint) {
    return adapters.forEndpoint(endpoint).orElseThrow();
  }

  private ObjectNode answer(ObjectNode upstream, Generation generation, Model model) {
    ObjectNode body = upstream.deepCopy();
    body.put("id", generation.id());
    body.put("model", model.id());
    body.put("provider", generation.endpoint().provider());
    body.set("usage", usageJson(generation));
    return body;
  }

  private ObjectNode usageChunk(Generation generation, Model model, long created) {
    ObjectNode chunk = chunkHeader(generation, model, created);
    chunk.putArray("choices");
    chunk.set("usage", usageJson(generation));
    return chunk;
  }

  private ObjectNode errorChunk(Generation generation, Model model, long created, Endpoint endpoint, String message) {
    ObjectNode chunk = chunkHeader(generation, model, created);
    ObjectNode error = chunk.putObject("error");
    error.put("message", message).put("type", "upstream_error").put("code", "provider_error");
    error.putObject("metadata").put("provider_name", endpoint.provider());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "error").putObject("delta");
    return chunk;
  }

  private ObjectNode chunkHeader(Generation generation, Model model, long created) {
    ObjectNode chunk = json.createObjectNode();
    chunk.put("id", generation.id()).put("object", "chat.completion.chunk").put("created", created)
        .put("model", model.id());
    if (generation.endpoint() != null) {
      chunk.put("provider", generation.endpoint().provider());
    }
    return chunk;
  }

  private ObjectNode usageJson(Generation generation) {
    var tokens = generation.usage();
    ObjectNode usageNode = json.createObjectNode();
    usageNode.put("prompt_tokens", tokens.promptTokens())
        .put("completion_tokens", tokens.completionTokens())
        .put("total_tokens", tokens.promptTokens() + tokens.completionTokens())
        // USD, as OpenRouter reports it; exact because it is derived from integer micro-USD.
        .put("cost", BigDecimal.valueOf(generation.priceMicros(), 6));
    usageNode.putObject("prompt_tokens_details").put("cached_tokens", tokens.cachedTokens());
    usageNode.putObject("completion_tokens_details").put("reasoning_tokens", tokens.reasoningTokens());
    return usageNode;
  }

  private static ApiError allFailed(UpstreamException last) {
    if (last == null) {
      return new ApiError(503, "service_unavailable", "No endpoint can serve this model", null,
          "no_endpoint", Map.of());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("provider_name", last.provider());
    if (last.status() != 0) {
      metadata.put("upstream_status", last.status());
    }
    if (last.upstreamBody() != null) {
      metadata.put("raw", last.upstreamBody());
    }
    return ApiError.upstreamFailed("Every provider failed; last: " + last.provider() + ": " + last.getMessage(),
        metadata);
  }

  private void settle(Generation generation) {
    usage.publish(generation.toUsageEvent(routerInstance, clock.instant(), nanos.getAsLong()));
  }
}
