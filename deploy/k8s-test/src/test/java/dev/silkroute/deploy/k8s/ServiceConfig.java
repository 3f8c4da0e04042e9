package dev.silkroute.deploy.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.management.health.indicator.HealthCheckType;
import io.micronaut.runtime.graceful.GracefulShutdownConfiguration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one Micronaut service really reads, taken from its own module: the keys (and defaults) of its
 * application.yml, the components of its {@code @ConfigurationProperties} records (with their
 * {@code @Bindable} defaults), and every full {@code "silkroute...."} property name its sources pass to a
 * look-up. Nothing here is a copied list, so a renamed or removed setting fails the manifests test.
 */
final class ServiceConfig {

  private static final Pattern CONFIG_RECORD = Pattern.compile(
      "@ConfigurationProperties\\(\"([a-z0-9.-]+)\"\\)\\s*public\\s+record\\s+\\w+\\((.*?)\\)\\s*\\{", Pattern.DOTALL);
  private static final Pattern COMPONENT = Pattern.compile(
      "(?:@Bindable\\(defaultValue\\s*=\\s*\"([^\"]*)\"\\)\\s*)?[\\w.<>\\[\\]]+\\s+(\\w+)\\s*$");
  /** A full property name given to a look-up (billing's settings.text(...), properties.apply(...)),
   *  not any "silkroute.*" literal: metric names and topic names look alike but are no settings. */
  private static final Pattern FULL_NAME = Pattern.compile(
      "(?:getProperty|properties\\.apply|settings\\.\\w+)\\(\\s*\"(silkroute\\.[a-z0-9.-]*[a-z0-9])\"");

  /**
   * Micronaut's own settings that the manifests set, read from the framework's configuration classes
   * (at the platform version the services run): their PREFIX, their setters, and the defaults of a
   * new instance.
   */
  private static final List<Class<?>> FRAMEWORK = List.of(GracefulShutdownConfiguration.class);

  final String module;
  /** property name -> default, from application.yml and {@code @Bindable} defaults. */
  final Map<String, String> defaults = new LinkedHashMap<>();
  final Set<String> properties = new LinkedHashSet<>();

  private ServiceConfig(String module) {
    this.module = module;
  }

  static ServiceConfig of(Path repo, String module) {
    ServiceConfig config = new ServiceConfig(module);
    Path yml = repo.resolve(module).resolve("src/main/resources/application.yml");
    flatten("", Kustomize.readOne(yml), config.defaults);
    config.properties.addAll(config.defaults.keySet());
    FRAMEWORK.forEach(config::addFramework);
    try (Stream<Path> files = Files.walk(repo.resolve(module).resolve("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        config.scan(Files.readString(file));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return config;
  }

  private void addFramework(Class<?> type) {
    try {
      String prefix = (String) type.getField("PREFIX").get(null);
      Object fresh = type.getConstructor().newInstance();
      for (Method setter : type.getMethods()) {
        if (!setter.getName().startsWith("set") || setter.getParameterCount() != 1) {
          continue;
        }
        String bean = setter.getName().substring(3);
        String name = prefix + "." + kebab(Character.toLowerCase(bean.charAt(0)) + bean.substring(1));
        properties.add(name);
        Method getter = setter.getParameterTypes()[0] == boolean.class
            ? type.getMethod("is" + bean) : type.getMethod("get" + bean);
        defaults.putIfAbsent(name, String.valueOf(getter.invoke(fresh)));
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read the settings of " + type.getName(), e);
    }
  }

  private void scan(String source) {
    Matcher record = CONFIG_RECORD.matcher(source);
    while (record.find()) {
      for (String component : splitTopLevel(record.group(2))) {
        Matcher c = COMPONENT.matcher(component.strip());
        if (!c.find()) {
          throw new IllegalStateException(module + ": cannot read record component '" + component + "'");
        }
        String name = record.group(1) + "." + kebab(c.group(2));
        properties.add(name);
        if (c.group(1) != null) {
          defaults.putIfAbsent(name, c.group(1));
        }
      }
    }
    Matcher full = FULL_NAME.matcher(source);
    while (full.find()) {
      properties.add(full.group(1));
    }
  }

  /** Micronaut's environment property source: upper case, with '.' and '-' as '_'. */
  static String envName(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The property an environment variable sets, when the service reads one by that name. */
  Optional<String> propertyOf(String envVar) {
    return properties.stream().filter(p -> envName(p).equals(envVar)).findFirst();
  }

  /** The value a container runs with: its literal environment variable, else the service's default. */
  String effective(String property, Map<String, String> env) {
    String fromEnv = env.get(envName(property));
    if (fromEnv != null) {
      return fromEnv;
    }
    String value = defaults.get(property);
    if (value == null) {
      throw new IllegalStateException(module + " has no default for " + property + " and the manifest sets none");
    }
    return value;
  }

  /** Where Micronaut serves its management endpoints ({@code endpoints.all.path}, default "/"). */
  private String endpointBase() {
    String base = defaults.getOrDefault("endpoints.all.path", "/");
    return base.endsWith("/") ? base : base + "/";
  }

  /** /health and its Kubernetes sub-paths, when the service enables the health endpoint. */
  Set<String> healthPaths() {
    if (!"true".equals(defaults.get("endpoints.health.enabled"))) {
      return Set.of();
    }
    String health = endpointBase() + "health";
    Set<String> paths = new LinkedHashSet<>();
    paths.add(health);
    Arrays.stream(HealthCheckType.values()).forEach(t -> paths.add(health + "/" + t.name().toLowerCase(Locale.ROOT)));
    return paths;
  }

  /** /prometheus, when the endpoint and the Prometheus registry are both enabled. */
  Optional<String> metricsPath() {
    boolean enabled = "true".equals(defaults.get("endpoints.prometheus.enabled"))
        && "true".equals(defaults.get("micronaut.metrics.export.prometheus.enabled"));
    return enabled ? Optional.of(endpointBase() + "prometheus") : Optional.empty();
  }

  /** Micronaut's duration forms: 500ms, 30s, 2m, 1h, or ISO-8601. */
  static Duration duration(String text) {
    Matcher m = Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    return Duration.parse(text);
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          e.getValue(), out));
    } else if (node.isArray()) {
      List<String> items = new java.util.ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      out.put(prefix, String.join(",", items));
    } else {
      out.put(prefix, node.asText());
    }
  }

  private static List<String> splitTopLevel(String components) {
    List<String> parts = new java.util.ArrayList<>();
    int depth = 0;
    StringBuilder current = new StringBuilder();
    for (char ch : components.toCharArray()) {
      if (ch == '(' || ch == '<') {
        depth++;
      } else if (ch == ')' || ch == '>') {
        depth--;
      }
      if (ch == ',' && depth == 0) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(ch);
      }
    }
    if (!current.toString().isBlank()) {
      parts.add(current.toString());
    }
    return parts;
  }

  private static String kebab(String camel) {
    return camel.chars().mapToObj(ch -> Character.isUpperCase(ch)
        ? "-" + Character.toLowerCase((char) ch) : String.valueOf((char) ch)).collect(Collectors.joining());
  }
}
