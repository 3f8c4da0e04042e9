package dev.silkroute.worker.config;

import dev.silkroute.worker.engine.GpuProfile;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The worker's configuration, assembled once at start-up by {@link WorkerConfigs} from the bound
 * settings records ({@link WorkerSettings} and its neighbours, which name the property when a value is bad).
 *
 * @param advertisedAddress host:port routers dial
 * @param gpu the GPU profile: the simulated engine runs it; every engine reports its type and price
 * @param defaultMaxTokens max tokens for a request that sets none
 * @param drainTimeout how long shutdown waits for running requests
 * @param openAiCompatible present when engine is {@link EngineType#OPENAI_COMPATIBLE}
 */
public record WorkerConfig(
    String workerId,
    int grpcPort,
    String advertisedAddress,
    List<String> models,
    EngineType engine,
    GpuProfile gpu,
    int maxRunning,
    int maxQueued,
    int defaultMaxTokens,
    Duration drainTimeout,
    Optional<OpenAiCompatible> openAiCompatible,
    HeartbeatConfig heartbeat) {

  public WorkerConfig {
    models = List.copyOf(models);
  }

  public enum EngineType {
    SIMULATED("simulated"),
    OPENAI_COMPATIBLE("openai-compatible");

    private final String configName;

    EngineType(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    static Optional<EngineType> of(String name) {
      for (EngineType t : values()) {
        if (t.configName.equalsIgnoreCase(name)) {
          return Optional.of(t);
        }
      }
      return Optional.empty();
    }
  }

  /** @param baseUrl the server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1 */
  public record OpenAiCompatible(URI baseUrl, Optional<String> apiKey, Duration timeout) {}

  /**
   * @param minSpacing least time between two beats triggered by changes
   */
  public record HeartbeatConfig(boolean enabled, URI redisUri, String keyPrefix, Duration interval,
      Duration ttl, Duration minSpacing) {}
}
