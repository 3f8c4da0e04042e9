package dev.silkroute.providersim;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.silkroute.providersim.internal.http.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The simulator's configuration file: an optional port and the providers. See {@code
 * default-providers.yaml} for the format. Names are validated at load time, not at first request.
 *
 * @param port listening port, null = the command line's or 8090
 * @param providers at least one provider, unique names
 */
public record SimConfig(
    @JsonProperty("port") Integer port,
    @JsonProperty("providers") List<ProviderConfig> providers) {

  /** Classpath resource holding the providers used when no configuration is given. */
  public static final String DEFAULT_RESOURCE = "/default-providers.yaml";

  public SimConfig {
    if (port != null && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException("port must be within [0, 65535] but was " + port);
    }
    providers = providers == null ? List.of() : List.copyOf(providers);
    Set<String> seen = new HashSet<>();
    for (ProviderConfig provider : providers) {
      if (!seen.add(provider.name())) {
        throw new IllegalArgumentException("provider '" + provider.name() + "' is configured twice");
      }
    }
  }

  public static SimConfig fromYaml(String yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    if (tree == null) {
      return new SimConfig(null, List.of());
    }
    try {
      return Json.MAPPER.convertValue(tree, SimConfig.class);
    } catch (IllegalArgumentException e) {
      // Jackson wraps our validation message in its own; the root cause names the bad value.
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      throw new IllegalArgumentException("invalid provider-sim configuration: " + cause.getMessage(), e);
    }
  }

  public static SimConfig fromFile(Path file) {
    try {
      return fromYaml(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read provider-sim configuration " + file, e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  /** The bundled default providers (deepseek, alibaba, moonshot, ..., openai, anthropic). */
  public static SimConfig defaults() {
    try (InputStream in = SimConfig.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
      }
      return fromYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
