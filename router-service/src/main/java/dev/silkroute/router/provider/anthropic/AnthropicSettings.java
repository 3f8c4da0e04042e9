package dev.silkroute.router.provider.anthropic;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The Anthropic adapter's settings ({@code silkroute.anthropic.*}), checked at start-up.
 *
 * @param version          the {@code anthropic-version} header sent with every request
 * @param defaultMaxTokens {@code max_tokens} for requests that set no limit (Anthropic requires one)
 */
@ConfigurationProperties("silkroute.anthropic")
public record AnthropicSettings(
    @Bindable(defaultValue = "2023-06-01") String version,
    @Bindable(defaultValue = "4096") long defaultMaxTokens) {

  public AnthropicSettings {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("silkroute.anthropic.version must be set, e.g. 2023-06-01");
    }
    if (defaultMaxTokens < 1) {
      throw new IllegalArgumentException("silkroute.anthropic.default-max-tokens must be >= 1, got "
          + defaultMaxTokens);
    }
  }

  public static AnthropicSettings ofDefaults() {
    return new AnthropicSettings("2023-06-01", 4096);
  }
}
