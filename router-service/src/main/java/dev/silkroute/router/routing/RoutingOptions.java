package dev.silkroute.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a request asks of routing, read from its body: {@code model} (with a variant suffix),
 * {@code models} (fallback models), {@code provider} (preferences) and {@code session_id} (sticky
 * routing). A bad option is a 400 naming the field, e.g. {@code param: "provider.sort"}.
 *
 * @param model               the requested model id, without its variant suffix
 * @param variant             the suffix's variant
 * @param fallbackModels      further model ids to try, in order, when the model's endpoints all fail
 * @param provider            the provider preferences
 * @param sessionId           the caller's conversation id for sticky routing
 * @param requestedParameters the body's parameters that an endpoint must honour under
 *                            {@code require_parameters} (e.g. "tools", "response_format")
 */
public record RoutingOptions(String model, Variant variant, List<String> fallbackModels,
                             ProviderPreferences provider, Optional<String> sessionId,
                             Set<String> requestedParameters) {

  /** Body fields that steer the router or carry the conversation, not parameters of the model. */
  private static final Set<String> NOT_PARAMETERS = Set.of("model", "models", "messages", "stream",
      "stream_options", "provider", "session_id", "user", "route", "transforms", "usage", "metadata",
      "plugins", "store", "n");
  private static final Set<String> QUANTIZATIONS = Set.of("int4", "int8", "fp4", "fp6", "fp8", "fp16",
      "bf16", "fp32", "unknown");
  private static final int MAX_FALLBACK_MODELS = 8;

  public RoutingOptions {
    fallbackModels = List.copyOf(fallbackModels);
    requestedParameters = Set.copyOf(requestedParameters);
  }

  public static RoutingOptions of(ChatRequest request) {
    ObjectNode body = request.body();
    String requested = request.model();
    List<String> fallbacks = models(body, requested);
    ProviderPreferences provider = body == null || !body.hasNonNull("provider") ? ProviderPreferences.DEFAULTS
        : preferences(body.get("provider"));
    Optional<String> session = Optional.empty();
    if (body != null && body.hasNonNull("session_id")) {
      JsonNode id = body.get("session_id");
      if (!id.isTextual() || id.asText().isBlank() || id.asText().length() > 256) {
        throw invalid("'session_id' must be a non-empty string of at most 256 characters", "session_id");
      }
      session = Optional.of(id.asText());
    }
    Set<String> parameters = new LinkedHashSet<>();
    if (body != null) {
      body.fieldNames().forEachRemaining(name -> {
        if (!NOT_PARAMETERS.contains(name) && !body.get(name).isNull()) {
          parameters.add(name);
        }
      });
    }
    return new RoutingOptions(Variant.baseModel(requested), Variant.of(requested), fallbacks, provider, session,
        parameters);
  }

  /**
   * Whether any option rules endpoints out (see {@code MarketOrder.reject}); most requests set none,
   * and their decision skips asking each endpoint.
   */
  public boolean restrictsEndpoints() {
    ProviderPreferences p = provider;
    return variant == Variant.FREE || !p.only().isEmpty() || !p.ignore().isEmpty()
        || (!p.allowFallbacks() && !p.order().isEmpty()) || !p.quantizations().isEmpty() || p.denyDataCollection()
        || (p.requireParameters() && !requestedParameters.isEmpty()) || p.maxPromptPrice().isPresent()
        || p.maxCompletionPrice().isPresent();
  }

  /** The strict order in force: {@code provider.sort}, else the variant's. */
  public Optional<Sort> sort() {
    if (provider.sort().isPresent()) {
      return provider.sort();
    }
    return switch (variant) {
      case FLOOR -> Optional.of(Sort.PRICE);
      case NITRO -> Optional.of(Sort.THROUGHPUT);
      default -> Optional.empty();
    };
  }

  private static List<String> models(ObjectNode body, String primary) {
    if (body == null || !body.hasNonNull("models")) {
      return List.of();
    }
    JsonNode models = body.get("models");
    if (!models.isArray()) {
      throw invalid("'models' must be an array of model ids", "models");
    }
    if (models.size() > MAX_FALLBACK_MODELS) {
      throw invalid("'models' may list at most " + MAX_FALLBACK_MODELS + " models", "models");
    }
    LinkedHashSet<String> ids = new LinkedHashSet<>();
    for (int i = 0; i < models.size(); i++) {
      JsonNode id = models.get(i);
      if (!id.isTextual() || id.asText().isBlank()) {
        throw invalid("'models[" + i + "]' must be a non-empty model id", "models[" + i + "]");
      }
      ids.add(id.asText());
    }
    ids.remove(primary);
    ids.remove(Variant.baseModel(primary));
    return new ArrayList<>(ids);
  }

  private static ProviderPreferences preferences(JsonNode node) {
    if (!node.isObject()) {
      throw invalid("'provider' must be an object", "provider");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!KNOWN.contains(name)) {
        throw invalid("'provider." + name + "' is not a known provider preference (known: "
            + KNOWN.stream().sorted().toList() + ")", "provider." + name);
      }
    }
    List<String> order = strings(node, "order");
    boolean allowFallbacks = bool(node, "allow_fallbacks", true);
    boolean requireParameters = bool(node, "require_parameters", false);
    boolean deny = false;
    if (node.hasNonNull("data_collection")) {
      String value = node.get("data_collection").asText("");
      if (!node.get("data_collection").isTextual() || !(value.equals("allow") || value.equals("deny"))) {
        throw invalid("'provider.data_collection' must be \"allow\" or \"deny\"", "provider.data_collection");
      }
      deny = value.equals("deny");
    }
    List<String> quantizations = strings(node, "quantizations");
    for (int i = 0; i < quantizations.size(); i++) {
      if (!QUANTIZATIONS.contains(quantizations.get(i))) {
        throw invalid("'provider.quantizations[" + i + "]' must be one of "
            + QUANTIZATIONS.stream().sorted().toList(), "provider.quantizations[" + i + "]");
      }
    }
    Optional<Sort> sort = Optional.empty();
    if (node.hasNonNull("sort")) {
      JsonNode value = node.get("sort");
      String text = value.isTextual() ? value.asText() : value.path("by").asText("");
      try {
        sort = Optional.of(Sort.valueOf(text.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw invalid("'provider.sort' must be \"price\", \"latency\" or \"throughput\"", "provider.sort");
      }
    }
    OptionalLong maxPrompt = OptionalLong.empty();
    OptionalLong maxCompletion = OptionalLong.empty();
    if (node.hasNonNull("max_price")) {
      JsonNode price = node.get("max_price");
      if (!price.isObject()) {
        throw invalid("'provider.max_price' must be an object such as {\"prompt\": 1, \"completion\": 2}"
            + " (USD per million tokens)", "provider.max_price");
      }
      maxPrompt = microsPerMillion(price, "prompt");
      maxCompletion = microsPerMillion(price, "completion");
    }
    OptionalLong maxLatency = OptionalLong.empty();
    if (node.hasNonNull("preferred_max_latency")) {
      JsonNode value = node.get("preferred_max_latency");
      JsonNode seconds = value.isObject() ? value.get("p50") : value;
      if (seconds == null || !seconds.isNumber() || seconds.asDouble() <= 0) {
        throw invalid("'provider.preferred_max_latency' must be a positive number of seconds (or {\"p50\": s})",
            "provider.preferred_max_latency");
      }
      maxLatency = OptionalLong.of(Math.round(seconds.asDouble() * 1000));
    }
    OptionalLong minThroughput = OptionalLong.empty();
    if (node.hasNonNull("preferred_min_throughput")) {
      JsonNode value = node.get("preferred_min_throughput");
      JsonNode tps = value.isObject() ? value.get("p50") : value;
      if (tps == null || !tps.isNumber() || tps.asDouble() <= 0) {
        throw invalid("'provider.preferred_min_throughput' must be a positive number of tokens per second"
            + " (or {\"p50\": n})", "provider.preferred_min_throughput");
      }
      minThroughput = OptionalLong.of((long) Math.ceil(tps.asDouble()));
    }
    return new ProviderPreferences(order, allowFallbacks, requireParameters, deny,
        Set.copyOf(strings(node, "only")), Set.copyOf(strings(node, "ignore")), Set.copyOf(quantizations), sort,
        maxPrompt, maxCompletion, maxLatency, minThroughput, bool(node, "hedge", true));
  }

  private static final Set<String> KNOWN = Set.of("order", "allow_fallbacks", "require_parameters",
      "data_collection", "only", "ignore", "quantizations", "sort", "max_price", "preferred_max_latency",
      "preferred_min_throughput", "hedge");

  private static OptionalLong microsPerMillion(JsonNode price, String field) {
    JsonNode value = price.get(field);
    if (value == null || value.isNull()) {
      return OptionalLong.empty();
    }
    String param = "provider.max_price." + field;
    if (!value.isNumber() && !value.isTextual()) {
      throw invalid("'" + param + "' must be a number (USD per million tokens)", param);
    }
    try {
      BigDecimal usd = new BigDecimal(value.asText());
      if (usd.signum() < 0) {
        throw invalid("'" + param + "' must not be negative", param);
      }
      // A ceiling: anything finer than a micro-USD per million is rounded down, never up.
      return OptionalLong.of(usd.movePointRight(6).setScale(0, java.math.RoundingMode.FLOOR).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      throw invalid("'" + param + "' must be a number (USD per million tokens)", param);
    }
  }

  private static List<String> strings(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    String param = "provider." + field;
    if (!value.isArray()) {
      throw invalid("'" + param + "' must be an array of strings", param);
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) {
      if (!value.get(i).isTextual() || value.get(i).asText().isBlank()) {
        throw invalid("'" + param + "[" + i + "]' must be a non-empty string", param + "[" + i + "]");
      }
      out.add(value.get(i).asText());
    }
    return out;
  }

  private static boolean bool(JsonNode node, String field, boolean otherwise) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw invalid("'provider." + field + "' must be a boolean", "provider." + field);
    }
    return value.asBoolean();
  }

  private static RouterException invalid(String message, String param) {
    return new RouterException(RouterError.invalidRequest(message, param));
  }
}
