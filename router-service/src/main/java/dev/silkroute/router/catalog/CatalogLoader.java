package dev.silkroute.router.catalog;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads deploy/catalog.yaml. Prices are USD per million tokens written as decimals ("0.27"), turned
 * into exact micro-USD; base URLs may use {@code ${ENV_NAME:-default}} so one file serves the local
 * stack, CI and production. Every mistake fails start-up with the path of the bad entry.
 */
public final class CatalogLoader {

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private final Function<String, String> environment;

  public CatalogLoader(Function<String, String> environment) {
    this.environment = environment;
  }

  public Catalog load(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
      return parse(asMap(root, "catalog " + file));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read catalog " + file + ": " + e.getMessage(), e);
    }
  }

  Catalog parse(Map<String, Object> root) {
    Map<String, Object> providers = asMap(root.get("providers"), "providers");
    List<Model> models = new ArrayList<>();
    for (Object entry : asList(root.get("models"), "models")) {
      Map<String, Object> model = asMap(entry, "models[]");
      String id = text(model, "id", "models[]");
      if (!id.matches("[a-z0-9._-]+/[A-Za-z0-9._:-]+")) {
        throw new IllegalArgumentException("models[" + id + "].id must be author/slug");
      }
      String where = "models[" + id + "]";
      List<Endpoint> endpoints = new ArrayList<>();
      for (Object e : asList(model.get("endpoints"), where + ".endpoints")) {
        endpoints.add(endpoint(id, asMap(e, where + ".endpoints[]"), providers, where));
      }
      long context = ((Number) model.getOrDefault("context_length", 32_768)).longValue();
      models.add(new Model(id, String.valueOf(model.getOrDefault("name", id)), context, endpoints));
    }
    return new Catalog(models);
  }

  private Endpoint endpoint(String modelId, Map<String, Object> entry, Map<String, Object> providers,
               String where) {
    String providerName = text(entry, "provider", where + ".endpoints[]");
    String at = where + ".endpoints[" + providerName + "]";
    Map<String, Object> provider = asMap(providers.get(providerName), "providers." + providerName);
    Endpoint.Protocol protocol = switch (text(provider, "protocol", "providers." + providerName)) {
      case "openai" -> Endpoint.Protocol.OPENAI;
      case "anthropic" -> Endpoint.Protocol.ANTHROPIC;
      default -> throw new IllegalArgumentException("providers." + providerName
          + ".protocol must be openai or anthropic");
    };
    URI baseUrl = URI.create(expand(text(provider, "base_url", "providers." + providerName)));
    Optional<String> apiKey = Optional.ofNullable((String) provider.get("api_key_env"))
        .map(environment).filter(v -> !v.isBlank());
    Pricing price = pricing(asMap(entry.get("price"), at + ".price"), at + ".price");
    Pricing cost = entry.containsKey("cost") ? pricing(asMap(entry.get("cost"), at + ".cost"), at + ".cost")
        : price;
    String upstreamModel = String.valueOf(entry.getOrDefault("upstream_model", modelId));
    return new Endpoint(providerName + "/" + modelId, providerName, protocol, baseUrl, upstreamModel,
        apiKey, price, cost);
  }

  private static Pricing pricing(Map<String, Object> prices, String where) {
    return new Pricing(microsPerMillion(prices.get("prompt"), where + ".prompt"),
        microsPerMillion(prices.get("completion"), where + ".completion"));
  }

  /** "0.27" (USD per million tokens) -> 270000 micro-USD per million tokens, exactly. */
  private static long microsPerMillion(Object usdPerMillion, String where) {
    if (usdPerMillion == null) {
      throw new IllegalArgumentException(where + " is missing (USD per million tokens)");
    }
    try {
      return new BigDecimal(String.valueOf(usdPerMillion)).movePointRight(6).longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(where + " must be a decimal with at most 6 places, got "
          + usdPerMillion, e);
    }
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

  private static String text(Map<String, Object> map, String key, String where) {
    Object value = map.get(key);
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(where + "." + key + " must be a non-empty string");
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value, String where) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new IllegalArgumentException(where + " must be a mapping");
    }
    return (Map<String, Object>) map;
  }

  private static List<?> asList(Object value, String where) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(where + " must be a non-empty list");
    }
    return list;
  }
}
