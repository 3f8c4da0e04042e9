package dev.silkroute.router.catalog;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads deploy/catalog.yaml. Prices are USD per million tokens written as decimals ("0.27"), turned
 * into exact micro-USD; base URLs may use {@code ${ENV_NAME:-default}} so one file serves the local
 * stack, CI and production. Every mistake (including an unknown key, which is usually a typo) fails
 * with the path of the bad entry, e.g. {@code models[qwen/qwen3-32b].endpoints[alibaba].price.prompt}.
 */
public final class CatalogLoader {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
  private static final Set<String> ROOT_KEYS = Set.of("providers", "models", "worker_pools");
  private static final Set<String> PROVIDER_KEYS = Set.of("kind", "protocol", "base_url", "api_key_env",
      "data_policy");
  private static final Set<String> MODEL_KEYS = Set.of("id", "name", "context_length", "modalities",
      "supported_parameters", "open_weights", "licence", "dimensions", "endpoints");
  private static final Set<String> ENDPOINT_KEYS = Set.of("provider", "upstream_model", "price", "cost",
      "quantization", "max_context", "max_output", "rate_limit", "supported_parameters", "first_byte_timeout_ms");
  private static final Set<String> PRICE_KEYS = Set.of("prompt", "completion", "cached_prompt");
  private static final Set<String> POOL_KEYS = Set.of("name", "model", "upstream_model", "price",
      "quantization", "max_ttft_ms");

  /** Far above any published embedding model (the largest are a few thousand). */
  private static final int MAX_DIMENSIONS = 65_536;

  private final Function<String, String> environment;

  public CatalogLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  /**
   * @throws IllegalArgumentException naming the file and the bad entry, for a file that is not a
   *                                  valid catalog
   * @throws IllegalStateException    when the file cannot be read
   */
  public Catalog load(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return parse(asMap(root, "catalog " + file));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read catalog " + file + ": " + e.getMessage(), e);
    } catch (YAMLException e) {
      throw new IllegalArgumentException("catalog " + file + " is not valid YAML: " + e.getMessage(), e);
    } catch (IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException("catalog " + file + ": " + e.getMessage(), e);
    }
  }

  Catalog parse(Map<String, Object> root) {
    onlyKeys(root, ROOT_KEYS, "catalog");
    Map<String, Object> providerEntries = asMap(root.get("providers"), "providers");
    List<Provider> providers = new ArrayList<>();
    providerEntries.forEach((name, entry) -> providers.add(provider(name, asMap(entry, "providers." + name))));
    List<WorkerPool> pools = new ArrayList<>();
    if (root.get("worker_pools") != null) {
      for (Object entry : asList(root.get("worker_pools"), "worker_pools", false)) {
        pools.add(pool(asMap(entry, "worker_pools[]")));
      }
    }
    Set<String> pooled = new LinkedHashSet<>();
    pools.forEach(pool -> pooled.add(pool.modelId()));
    List<Model> models = new ArrayList<>();
    for (Object entry : asList(root.get("models"), "models", true)) {
      Map<String, Object> model = asMap(entry, "models[]");
      String id = text(model, "id", "models[]");
      if (!id.matches("[a-z0-9._-]+/[A-Za-z0-9._:-]+")) {
        throw new IllegalArgumentException("models[" + id + "].id must be author/slug");
      }
      String where = "models[" + id + "]";
      onlyKeys(model, MODEL_KEYS, where);
      long context = positive(model.getOrDefault("context_length", 32_768), where + ".context_length");
      Model.Details details = details(model, where);
      List<Endpoint> endpoints = new ArrayList<>();
      for (Object e : asList(model.get("endpoints"), where + ".endpoints", !pooled.contains(id))) {
        endpoints.add(endpoint(id, asMap(e, where + ".endpoints[]"), providers, details, where));
      }
      models.add(new Model(id, String.valueOf(model.getOrDefault("name", id)), context, endpoints, details));
    }
    return new Catalog(models, providers, pools);
  }

  private Provider provider(String name, Map<String, Object> entry) {
    String where = "providers." + name;
    onlyKeys(entry, PROVIDER_KEYS, where);
    Endpoint.Protocol protocol = switch (text(entry, "protocol", where)) {
      case "openai" -> Endpoint.Protocol.OPENAI;
      case "anthropic" -> Endpoint.Protocol.ANTHROPIC;
      default -> throw new IllegalArgumentException(where + ".protocol must be openai or anthropic");
    };
    URI baseUrl;
    try {
      baseUrl = URI.create(expand(text(entry, "base_url", where)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ".base_url: " + e.getMessage(), e);
    }
    Optional<String> credentialEnv = Optional.ofNullable(entry.get("api_key_env")).map(String::valueOf);
    DataPolicy policy = DataPolicy.UNKNOWN;
    if (entry.get("data_policy") != null) {
      Map<String, Object> p = asMap(entry.get("data_policy"), where + ".data_policy");
      onlyKeys(p, Set.of("trains_on_prompts", "retains_prompts"), where + ".data_policy");
      policy = new DataPolicy(bool(p, "trains_on_prompts", true, where + ".data_policy"),
          bool(p, "retains_prompts", true, where + ".data_policy"));
    }
    String kind = String.valueOf(entry.getOrDefault("kind", "inference-host"));
    return new Provider(name, kind, protocol, baseUrl, credentialEnv, policy);
  }

  private static Model.Details details(Map<String, Object> model, String where) {
    List<String> input = List.of("text");
    List<String> output = List.of("text");
    if (model.get("modalities") != null) {
      Map<String, Object> m = asMap(model.get("modalities"), where + ".modalities");
      onlyKeys(m, Set.of("input", "output"), where + ".modalities");
      input = strings(m.getOrDefault("input", List.of("text")), where + ".modalities.input");
      output = strings(m.getOrDefault("output", List.of("text")), where + ".modalities.output");
    }
    Set<String> parameters = Set.copyOf(strings(model.getOrDefault("supported_parameters", List.of()),
        where + ".supported_parameters"));
    boolean open = bool(model, "open_weights", false, where);
    Optional<String> licence = Optional.ofNullable(model.get("licence")).map(String::valueOf);
    // An embedding model states the size of its vectors; no other model has one.
    int dimensions = 0;
    if (output.contains(Model.Details.EMBEDDINGS)) {
      if (model.get("dimensions") == null) {
        throw new IllegalArgumentException(where + ".dimensions is missing: an embedding model (output "
            + Model.Details.EMBEDDINGS + ") states the size of its vectors");
      }
      long size = positive(model.get("dimensions"), where + ".dimensions");
      if (size > MAX_DIMENSIONS) {
        throw new IllegalArgumentException(where + ".dimensions must be at most " + MAX_DIMENSIONS + ", got " + size);
      }
      dimensions = (int) size;
    } else if (model.get("dimensions") != null) {
      throw new IllegalArgumentException(where + ".dimensions is only for embedding models (modalities.output: ["
          + Model.Details.EMBEDDINGS + "])");
    }
    return new Model.Details(input, output, parameters, open, licence, dimensions);
  }

  private Endpoint endpoint(String modelId, Map<String, Object> entry, List<Provider> providers,
                            Model.Details model, String where) {
    String providerName = text(entry, "provider", where + ".endpoints[]");
    String at = where + ".endpoints[" + providerName + "]";
    onlyKeys(entry, ENDPOINT_KEYS, at);
    Provider provider = providers.stream().filter(p -> p.name().equals(providerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(at + ".provider: providers." + providerName
            + " is not defined"));
    Optional<String> apiKey = provider.credentialEnv().map(environment).filter(v -> !v.isBlank());
    Pricing price = pricing(entry.get("price"), at + ".price");
    Pricing cost = entry.containsKey("cost") ? pricing(entry.get("cost"), at + ".cost") : price;
    String upstreamModel = String.valueOf(entry.getOrDefault("upstream_model", modelId));
    int rpm = 0;
    if (entry.get("rate_limit") != null) {
      Map<String, Object> limit = asMap(entry.get("rate_limit"), at + ".rate_limit");
      onlyKeys(limit, Set.of("requests_per_minute"), at + ".rate_limit");
      rpm = Math.toIntExact(positive(limit.get("requests_per_minute"), at + ".rate_limit.requests_per_minute"));
    }
    Set<String> parameters = entry.get("supported_parameters") == null ? model.supportedParameters()
        : Set.copyOf(strings(entry.get("supported_parameters"), at + ".supported_parameters"));
    Endpoint.Traits traits = new Endpoint.Traits(
        entry.get("quantization") == null ? null : String.valueOf(entry.get("quantization")),
        entry.get("max_context") == null ? 0 : positive(entry.get("max_context"), at + ".max_context"),
        entry.get("max_output") == null ? 0 : positive(entry.get("max_output"), at + ".max_output"),
        rpm, provider.dataPolicy(), parameters, -1,
        entry.get("first_byte_timeout_ms") == null ? 0
            : positive(entry.get("first_byte_timeout_ms"), at + ".first_byte_timeout_ms"));
    return new Endpoint(providerName + "/" + modelId, providerName, provider.protocol(), provider.baseUrl(),
        upstreamModel, apiKey, price, cost, traits);
  }

  private static WorkerPool pool(Map<String, Object> entry) {
    String name = text(entry, "name", "worker_pools[]");
    String where = "worker_pools[" + name + "]";
    onlyKeys(entry, POOL_KEYS, where);
    String model = text(entry, "model", where);
    OptionalLong maxTtft = entry.get("max_ttft_ms") == null ? OptionalLong.empty()
        : OptionalLong.of(positive(entry.get("max_ttft_ms"), where + ".max_ttft_ms"));
    return new WorkerPool(name, model, String.valueOf(entry.getOrDefault("upstream_model", model)),
        pricing(entry.get("price"), where + ".price"),
        Optional.ofNullable(entry.get("quantization")).map(String::valueOf), maxTtft);
  }

  private static Pricing pricing(Object value, String where) {
    Map<String, Object> prices = asMap(value, where);
    onlyKeys(prices, PRICE_KEYS, where);
    long prompt = microsPerMillion(prices.get("prompt"), where + ".prompt");
    long cached = prices.get("cached_prompt") == null ? prompt
        : microsPerMillion(prices.get("cached_prompt"), where + ".cached_prompt");
    return new Pricing(prompt, microsPerMillion(prices.get("completion"), where + ".completion"), cached);
  }

  /** "0.27" (USD per million tokens) -> 270000 micro-USD per million tokens, exactly. */
  private static long microsPerMillion(Object usdPerMillion, String where) {
    if (usdPerMillion == null) {
      throw new IllegalArgumentException(where + " is missing (USD per million tokens)");
    }
    long micros;
    try {
      micros = new BigDecimal(String.valueOf(usdPerMillion)).movePointRight(6).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(where + " must be a decimal with at most 6 places, got "
          + usdPerMillion, e);
    }
    if (micros < 0) {
      throw new IllegalArgumentException(where + " must not be negative, got " + usdPerMillion);
    }
    return micros;
  }

  String expand(String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String fromEnv = environment.apply(m.group(1));
      String replacement = fromEnv != null && !fromEnv.isBlank() ? fromEnv : m.group(2);
      if (replacement == null) {
        throw new IllegalArgumentException("catalog uses ${" + m.group(1) + "}, which is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static void onlyKeys(Map<String, Object> map, Set<String> allowed, String where) {
    for (String key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(where + "." + key + " is not a known key (expected one of "
            + allowed.stream().sorted().toList() + ")");
      }
    }
  }

  private static String text(Map<String, Object> map, String key, String where) {
    Object value = map.get(key);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(where + "." + key + " must be a non-empty string");
    }
    return s;
  }

  private static boolean bool(Map<String, Object> map, String key, boolean otherwise, String where) {
    Object value = map.get(key);
    if (value == null) {
      return otherwise;
    }
    if (!(value instanceof Boolean b)) {
      throw new IllegalArgumentException(where + "." + key + " must be true or false, got " + value);
    }
    return b;
  }

  private static long positive(Object value, String where) {
    if (!(value instanceof Number n) || n.longValue() < 1 || n.doubleValue() != n.longValue()) {
      throw new IllegalArgumentException(where + " must be a positive integer, got " + value);
    }
    return n.longValue();
  }

  private static List<String> strings(Object value, String where) {
    if (!(value instanceof List<?> list) || !list.stream().allMatch(v -> v instanceof String)) {
      throw new IllegalArgumentException(where + " must be a list of strings");
    }
    return list.stream().map(String.class::cast).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value, String where) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + " must be a mapping");
    }
    return (Map<String, Object>) map;
  }

  private static List<?> asList(Object value, String where, boolean nonEmpty) {
    if (value == null && !nonEmpty) {
      return List.of();
    }
    if (!(value instanceof List<?> list) || (nonEmpty && list.isEmpty())) {
      throw new IllegalArgumentException(where + " must be a " + (nonEmpty ? "non-empty " : "") + "list");
    }
    return list;
  }
}
