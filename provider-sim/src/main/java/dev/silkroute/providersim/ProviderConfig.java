package dev.silkroute.providersim;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One simulated provider, served under {@code /{name}/v1/...}.
 *
 * @param name path segment and identity, lowercase letters, digits, '-', '_' (e.g. {@code deepseek})
 * @param protocol which request shape(s) the provider answers
 * @param models models it accepts; empty = any model name (unknown ones get a 404 otherwise)
 * @param knobs initial behaviour
 */
public record ProviderConfig(
    @JsonProperty("name") String name,
    @JsonProperty("protocol") Protocol protocol,
    @JsonProperty("models") List<String> models,
    @JsonProperty("knobs") Knobs knobs) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  /** Top-level paths the simulator itself owns. */
  private static final Set<String> RESERVED = Set.of("health", "v1");

  public ProviderConfig {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "provider name must match " + NAME.pattern() + " but was '" + name + "'");
    }
    if (RESERVED.contains(name)) {
      throw new IllegalArgumentException("provider name '" + name + "' is reserved");
    }
    protocol = Objects.requireNonNullElse(protocol, Protocol.OPENAI);
    models = models == null ? List.of() : List.copyOf(models);
    knobs = Objects.requireNonNullElse(knobs, Knobs.defaults());
  }

  public static ProviderConfig openai(String name) {
    return new ProviderConfig(name, Protocol.OPENAI, List.of(), Knobs.defaults());
  }

  public static ProviderConfig anthropic(String name) {
    return new ProviderConfig(name, Protocol.ANTHROPIC, List.of(), Knobs.defaults());
  }

  public ProviderConfig withKnobs(Knobs newKnobs) {
    return new ProviderConfig(name, protocol, models, newKnobs);
  }

  public ProviderConfig withModels(String... newModels) {
    return new ProviderConfig(name, protocol, List.of(newModels), knobs);
  }

  public ProviderConfig withProtocol(Protocol newProtocol) {
    return new ProviderConfig(name, newProtocol, models, knobs);
  }
}
