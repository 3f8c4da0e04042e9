package dev.silkroute.router.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.routing.EffectiveCost;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.EndpointStats;
import dev.silkroute.router.routing.Health;
import dev.silkroute.router.routing.TokenMix;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The catalog as OpenRouter publishes its models: one object per model (id, name, created,
 * context_length, per-token USD prices as strings, architecture, supported_parameters), also
 * readable by OpenAI clients ({@code object: "model"}, {@code owned_by}), and the endpoints of each
 * with what routing measured of them (see {@link #endpointsObject}).
 */
public final class ModelListing {

  /** What the router passes on to each protocol's upstreams when the catalog states nothing. */
  static final List<String> OPENAI_PARAMETERS = List.of("max_tokens", "temperature", "top_p", "stop", "seed",
      "frequency_penalty", "presence_penalty", "logit_bias", "logprobs", "top_logprobs", "response_format",
      "structured_outputs", "tools", "tool_choice", "parallel_tool_calls");
  static final List<String> ANTHROPIC_PARAMETERS = List.of("max_tokens", "temperature", "top_p", "top_k",
      "stop", "tools", "tool_choice", "parallel_tool_calls");
  static final List<String> WORKER_PARAMETERS = List.of("max_tokens", "temperature", "top_p", "stop", "seed");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final BigDecimal MICROS_PER_USD_TIMES_TOKENS = BigDecimal.TEN.pow(12);

  private final Supplier<Catalog> catalog;
  private final List<EndpointSource> sources;
  private final EndpointBoard board;
  private final long created;

  /**
   * @param board   routing's live picture of every endpoint: statistics, health, circuit
   * @param created seconds since the epoch reported as every model's {@code created}, until the
   *                catalog records when each model was added
   */
  public ModelListing(Supplier<Catalog> catalog, List<EndpointSource> sources, EndpointBoard board, long created) {
    this.catalog = catalog;
    this.sources = List.copyOf(sources);
    this.board = board;
    this.created = created;
  }

  public List<Model> models() {
    return List.copyOf(catalog.get().models());
  }

  public Optional<Model> model(String id) {
    return catalog.get().model(id).filter(model -> model.id().equals(id));
  }

  public long created() {
    return created;
  }

  /** Every model: {@code {"object": "list", "data": [model, ...], "total_count", "links"}}. */
  public ObjectNode list() {
    return list(ModelQuery.ALL, "/api/v1/models");
  }

  /**
   * The models the query admits, one page of them: OpenAI's list ({@code object}, {@code data}) and
   * OpenRouter's ({@code total_count} of all admitted, {@code links.next} the path and query of the
   * next page, or null on the last).
   *
   * @param path the path the client called, for the next page's link
   */
  public ObjectNode list(ModelQuery query, String path) {
    List<ObjectNode> admitted = new ArrayList<>();
    for (Model model : models()) {
      List<Endpoint> endpoints = endpoints(model);
      if (query.admits(model, supportedParameters(model, endpoints))) {
        admitted.add(modelObject(model, endpoints));
      }
    }
    ObjectNode list = NODES.objectNode().put("object", "list");
    query.page(admitted).forEach(list.putArray("data")::add);
    list.put("total_count", admitted.size());
    list.putObject("links").put("next", query.next(path, admitted.size()).orElse(null));
    return list;
  }

  /**
   * One model, as OpenRouter's model object (readable as OpenAI's too: {@code object}, {@code owned_by}).
   * The catalog sets no default sampling parameters ({@code default_parameters} null), serves no voices
   * ({@code supported_voices} null) and leaves every limit to the request ({@code per_request_limits}
   * null); {@code links.details} is where the model's endpoints are listed.
   */
  public ObjectNode modelObject(Model model) {
    return modelObject(model, endpoints(model));
  }

  private ObjectNode modelObject(Model model, List<Endpoint> endpoints) {
    ObjectNode node = NODES.objectNode()
        .put("id", model.id())
        .put("canonical_slug", model.id())
        .put("object", "model")
        .put("owned_by", model.author())
        .put("name", model.name())
        .put("created", created)
        .put("description", "")
        .put("context_length", model.contextLength());
    node.set("architecture", architecture(model));
    node.set("pricing", pricing(lowestPrice(model)));
    ObjectNode top = node.putObject("top_provider").put("context_length", model.contextLength());
    top.putNull("max_completion_tokens");
    top.put("is_moderated", false);
    node.putNull("per_request_limits");
    ArrayNode parameters = node.putArray("supported_parameters");
    supportedParameters(model, endpoints).forEach(parameters::add);
    node.putNull("default_parameters");
    node.putNull("supported_voices");
    node.putObject("links").put("details", "/api/v1/models/" + model.id() + "/endpoints");
    return node;
  }

  /**
   * {@code {"data": {id, name, ..., "endpoints": [...]}}}, OpenRouter's endpoints answer, with the
   * statistics routing keeps from real traffic of all router replicas (as of its last refresh).
   * OpenRouter's own fields: {@code uptime_last_5m/30m/1d} in percent, {@code latency_last_30m} the
   * time to first token's p50/p75/p90/p99 in milliseconds, {@code throughput_last_30m} the same
   * percentiles of completion tokens per second; each null while the window saw no traffic;
   * {@code status} 0 while healthy, -1 degraded, -10 down (see {@link #status}); which
   * {@code tool_choice} values it honours ({@code supports_tool_choice}). Silkroute's
   * {@code stats} block says the same with its units in the names, adds total latency, request
   * counts, health, the circuit state ({@code closed}, {@code open}, {@code half_open}) and what the
   * upstream timeouts caught over 30 minutes (first-byte timeouts, stalled streams, slow calls).
   * Percentiles are over the last 30 minutes, or the last day when those were quiet.
   */
  public Optional<ObjectNode> endpointsObject(String modelId) {
    return model(modelId).map(model -> {
      ObjectNode data = NODES.objectNode()
          .put("id", model.id())
          .put("name", model.name())
          .put("created", created)
          .put("description", "");
      data.set("architecture", architecture(model));
      ArrayNode list = data.putArray("endpoints");
      for (Endpoint endpoint : endpoints(model)) {
        list.add(endpointObject(model, endpoint));
      }
      ObjectNode answer = NODES.objectNode();
      answer.set("data", data);
      return answer;
    });
  }

  private ObjectNode endpointObject(Model model, Endpoint endpoint) {
    Endpoint.Traits traits = endpoint.traits();
    long context = traits.maxContextTokens() > 0 ? traits.maxContextTokens() : model.contextLength();
    ObjectNode node = NODES.objectNode()
        .put("name", endpoint.provider() + " | " + model.id())
        .put("model_id", model.id())
        .put("model_name", model.name())
        .put("provider_name", endpoint.provider())
        .put("tag", endpoint.provider())
        .put("context_length", context)
        .put("quantization", traits.quantization());
    node.set("pricing", pricing(endpoint.price()));
    EndpointStats stats = board.stats(endpoint);
    node.set("effective_pricing", effectivePricing(endpoint.price(), stats.mix()));
    if (traits.maxOutputTokens() > 0) {
      node.put("max_completion_tokens", traits.maxOutputTokens());
    } else {
      node.putNull("max_completion_tokens");
    }
    node.putNull("max_prompt_tokens");
    List<String> endpointParameters = endpointParameters(model, endpoint);
    ArrayNode parameters = node.putArray("supported_parameters");
    endpointParameters.forEach(parameters::add);
    // Health first: it moves an open circuit whose wait is over to half-open, as routing would.
    Health health = board.health(endpoint);
    node.put("status", status(health));
    boolean toolChoice = endpointParameters.contains("tool_choice");
    node.putObject("supports_tool_choice").put("auto", toolChoice).put("function", toolChoice)
        .put("none", toolChoice).put("required", toolChoice);
    node.put("supports_voice_cloning", false);
    node.set("uptime_last_5m", percent(stats.uptime5m()));
    node.set("uptime_last_30m", percent(stats.uptime30m()));
    node.set("uptime_last_1d", percent(stats.uptime1d()));
    node.set("latency_last_30m",
        percentiles(stats.ttftP50Ms(), stats.ttftP75Ms(), stats.ttftP90Ms(), stats.ttftP99Ms()));
    node.set("throughput_last_30m", percentiles(stats.throughputP50(), stats.throughputP75(),
        stats.throughputP90(), stats.throughputP99()));
    node.put("supports_implicit_caching", endpoint.price().discountsCachedPrompts());
    node.set("stats", statsObject(endpoint, health, stats));
    return node;
  }

  /**
   * OpenRouter's endpoint status, an integer where 0 is fully up and lower is worse (its published
   * values are 0, -1, -2, -3, -5, -10): 0 healthy, -1 degraded (uptime under 95% or a circuit
   * probing), -10 down (uptime under 80% or an open circuit, tried only as a last resort).
   */
  static int status(Health health) {
    return switch (health) {
      case HEALTHY -> 0;
      case DEGRADED -> -1;
      case DOWN -> -10;
    };
  }

  private ObjectNode statsObject(Endpoint endpoint, Health health, EndpointStats stats) {
    ObjectNode node = NODES.objectNode()
        .put("health", health.name().toLowerCase(Locale.ROOT))
        .put("circuit", board.guard(endpoint).circuit().name().toLowerCase(Locale.ROOT))
        .put("requests_5m", stats.requests5m())
        .put("requests_30m", stats.requests30m())
        .put("requests_1d", stats.requests1d());
    node.set("uptime_5m", fraction(stats.uptime5m()));
    node.set("uptime_30m", fraction(stats.uptime30m()));
    node.set("uptime_1d", fraction(stats.uptime1d()));
    node.set("latency_p50_ms", measured(stats.latencyP50Ms()));
    node.set("latency_p90_ms", measured(stats.latencyP90Ms()));
    node.set("latency_p99_ms", measured(stats.latencyP99Ms()));
    node.set("ttft_p50_ms", measured(stats.ttftP50Ms()));
    node.set("ttft_p90_ms", measured(stats.ttftP90Ms()));
    node.set("ttft_p99_ms", measured(stats.ttftP99Ms()));
    node.set("throughput_tokens_per_second", measured(stats.throughputP50()));
    // What the upstream timeouts caught over 30 minutes (see UpstreamTimeouts and Lateness).
    node.put("first_byte_timeouts_30m", stats.firstByteTimeouts30m())
        .put("stalls_30m", stats.stalls30m())
        .put("slow_calls_30m", stats.slowCalls30m());
    return node;
  }

  /** OpenRouter's percentile set; null unless all four were measured. */
  private static JsonNode percentiles(long p50, long p75, long p90, long p99) {
    if (p50 < 0 || p75 < 0 || p90 < 0 || p99 < 0) {
      return NODES.nullNode();
    }
    return NODES.objectNode().put("p50", p50).put("p75", p75).put("p90", p90).put("p99", p99);
  }

  /** Uptime as a share in [0, 1], rounded to 4 places; null for a window without traffic (NaN). */
  private static JsonNode fraction(double uptime) {
    return Double.isNaN(uptime) ? NODES.nullNode() : NODES.numberNode(Math.round(uptime * 10_000) / 10_000.0);
  }

  /** Uptime in percent, as OpenRouter writes it (99.5), to 2 places; null without traffic. */
  private static JsonNode percent(double uptime) {
    return Double.isNaN(uptime) ? NODES.nullNode() : NODES.numberNode(Math.round(uptime * 10_000) / 100.0);
  }

  /** A measured time or rate; null for -1, which means nothing was measured. */
  private static JsonNode measured(long value) {
    return value < 0 ? NODES.nullNode() : NODES.numberNode(value);
  }

  /** The catalog's endpoints and the run-time ones (self-hosted workers) serving the model now. */
  public List<Endpoint> endpoints(Model model) {
    List<Endpoint> all = new ArrayList<>(model.endpoints());
    sources.forEach(source -> all.addAll(source.endpoints(model)));
    return all;
  }

  /** The cheapest endpoint's prices (prompt plus completion), as routing's default prefers it. */
  public Pricing lowestPrice(Model model) {
    return endpoints(model).stream().map(Endpoint::price)
        .min(Comparator.comparingLong(Pricing::blendedMicrosPerMillion))
        .orElse(Pricing.FREE);
  }

  /** The union over its endpoints, as OpenRouter lists a model's parameters. */
  public List<String> supportedParameters(Model model) {
    return supportedParameters(model, endpoints(model));
  }

  private static List<String> supportedParameters(Model model, List<Endpoint> endpoints) {
    Set<String> union = new LinkedHashSet<>();
    endpoints.forEach(endpoint -> union.addAll(endpointParameters(model, endpoint)));
    return union.stream().sorted().toList();
  }

  private static List<String> endpointParameters(Model model, Endpoint endpoint) {
    if (!endpoint.traits().supportedParameters().isEmpty()) {
      return endpoint.traits().supportedParameters().stream().sorted().toList();
    }
    if (!model.details().supportedParameters().isEmpty()) {
      return model.details().supportedParameters().stream().sorted().toList();
    }
    return switch (endpoint.protocol()) {
      case OPENAI -> OPENAI_PARAMETERS;
      case ANTHROPIC -> ANTHROPIC_PARAMETERS;
      case WORKER -> WORKER_PARAMETERS;
    };
  }

  private static ObjectNode architecture(Model model) {
    List<String> input = model.details().inputModalities();
    List<String> output = model.details().outputModalities();
    ObjectNode node = NODES.objectNode()
        .put("modality", String.join("+", input) + "->" + String.join("+", output));
    input.forEach(node.putArray("input_modalities")::add);
    output.forEach(node.putArray("output_modalities")::add);
    node.put("tokenizer", "Other");
    node.putNull("instruct_type");
    return node;
  }

  /** Prices per token in USD as decimal strings ("0.00000027"), as OpenRouter writes them. */
  static ObjectNode pricing(Pricing price) {
    ObjectNode node = NODES.objectNode()
        .put("prompt", perToken(price.promptMicrosPerMillion()))
        .put("completion", perToken(price.completionMicrosPerMillion()))
        .put("request", "0")
        .put("image", "0")
        .put("web_search", "0")
        .put("internal_reasoning", "0");
    if (price.discountsCachedPrompts()) {
      node.put("input_cache_read", perToken(price.cachedPromptMicrosPerMillion()));
    }
    return node;
  }

  /**
   * Beside the list {@code pricing}: the prompt price as the endpoint's measured prompt-cache hits make
   * it (list and cached prices blended by {@code cached_share}, the cached share of its prompt tokens
   * over 30 minutes; the list price until measured), with its measured mean prompt and completion tokens.
   */
  static ObjectNode effectivePricing(Pricing price, TokenMix.Mix mix) {
    ObjectNode node = NODES.objectNode()
        .put("prompt", perToken(EffectiveCost.effectivePromptMicrosPerMillion(price, mix)))
        .put("completion", perToken(price.completionMicrosPerMillion()))
        .put("cached_share", Math.round(EffectiveCost.cachedShare(mix) * 10_000) / 10_000.0);
    if (mix.measured()) {
      node.put("mean_prompt_tokens", Math.round(mix.meanPrompt()))
          .put("mean_completion_tokens", Math.round(mix.meanCompletion()));
    } else {
      node.putNull("mean_prompt_tokens").putNull("mean_completion_tokens");
    }
    return node;
  }

  /** Micro-USD per million tokens to USD per token: exactly, by moving the decimal point 12 places. */
  static String perToken(long microsPerMillion) {
    BigDecimal usd = BigDecimal.valueOf(microsPerMillion).divide(MICROS_PER_USD_TIMES_TOKENS);
    return usd.signum() == 0 ? "0" : usd.stripTrailingZeros().toPlainString();
  }
}
