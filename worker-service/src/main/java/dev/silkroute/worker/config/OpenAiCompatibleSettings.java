package dev.silkroute.worker.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import java.net.URI;
import java.time.Duration;

/**
 * The inference server behind engine openai-compatible ({@code silkroute.worker.openai-compatible.*}).
 *
 * @param url     its OpenAI base URL, e.g. http://127.0.0.1:8000/v1; required with that engine
 * @param apiKey  sent as a Bearer token when set
 * @param timeout the longest one request to it may take
 */
@ConfigurationProperties("silkroute.worker.openai-compatible")
public record OpenAiCompatibleSettings(
    @Nullable URI url,
    @Nullable String apiKey,
    @Bindable(defaultValue = "30s") Duration timeout) {

  public OpenAiCompatibleSettings {
    if (url != null && (url.getScheme() == null || url.getHost() == null)) {
      throw new WorkerConfigs.ConfigException(
          "silkroute.worker.openai-compatible.url must be an absolute URL with a host, was '" + url + "'");
    }
    WorkerConfigs.positive("silkroute.worker.openai-compatible.timeout", timeout);
  }
}
