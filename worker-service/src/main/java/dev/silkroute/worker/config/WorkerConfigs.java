package dev.silkroute.worker.config;

import dev.silkroute.worker.config.WorkerConfig.EngineType;
import dev.silkroute.worker.engine.GpuProfile;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Turns the bound settings into one {@link WorkerConfig}: the defaults that depend on other settings
 * (id and address from the host and port, concurrency from the GPU profile) and the rules that span
 * several (a GPU without a built-in profile needs every figure; openai-compatible needs a URL).
 * Plain Java; failures name the property.
 */
public final class WorkerConfigs {

  private WorkerConfigs() {
  }

  public static WorkerConfig of(WorkerSettings worker, SimulatedGpuSettings simulated, HeartbeatSettings heartbeat,
                                OpenAiCompatibleSettings openAi, RedisSettings redis) {
    int port = worker.grpcPort();
    // Host and port: two workers on one box (one per GPU) get different ids.
    String workerId = nonBlank(worker.id()).orElseGet(() -> "worker-" + hostname() + "-" + port);
    String address = nonBlank(worker.advertisedAddress()).orElseGet(() -> hostname() + ":" + port);
    EngineType engine = EngineType.of(worker.engine()).orElseThrow(() -> new ConfigException(
        "silkroute.worker.engine must be simulated or openai-compatible, was '" + worker.engine() + "'"));
    GpuProfile gpu = gpuProfile(worker, simulated);
    int maxRunning = Optional.ofNullable(worker.maxRunning())
        .orElse(engine == EngineType.SIMULATED ? gpu.maxBatch() : 16);
    int maxQueued = Optional.ofNullable(worker.maxQueued()).orElse(maxRunning);
    Optional<WorkerConfig.OpenAiCompatible> upstream = Optional.empty();
    if (engine == EngineType.OPENAI_COMPATIBLE) {
      if (openAi.url() == null) {
        throw new ConfigException("silkroute.worker.openai-compatible.url must be set with engine openai-compatible");
      }
      upstream = Optional.of(new WorkerConfig.OpenAiCompatible(openAi.url(), nonBlank(openAi.apiKey()),
          openAi.timeout()));
    }
    return new WorkerConfig(workerId, port, address, worker.models(), engine, gpu, maxRunning, maxQueued,
        worker.defaultMaxTokens(), worker.drainTimeout(), upstream,
        new WorkerConfig.HeartbeatConfig(heartbeat.enabled(), redis.uri(), heartbeat.keyPrefix(),
            heartbeat.interval(), heartbeat.ttl(), heartbeat.minSpacing()));
  }

  private static GpuProfile gpuProfile(WorkerSettings worker, SimulatedGpuSettings simulated) {
    String type = worker.gpuType().trim();
    Optional<GpuProfile> known = GpuProfile.known(type);
    // A built-in profile gives defaults; each figure can be overridden, and an unknown GPU needs all.
    String need = "be set, because gpu-type " + type + " has no built-in profile (H100, H20, A100, L40S, RTX4090)";
    double prefill = figure("simulated.prefill-tokens-per-second", simulated.prefillTokensPerSecond(), known,
        GpuProfile::prefillTokensPerSecond, need);
    double decode = figure("simulated.decode-tokens-per-second", simulated.decodeTokensPerSecond(), known,
        GpuProfile::decodeTokensPerSecond, need);
    double slowdown = figure("simulated.decode-slowdown-per-sequence", simulated.decodeSlowdownPerSequence(), known,
        GpuProfile::decodeSlowdownPerSequence, need);
    int batch = figure("simulated.max-batch", simulated.maxBatch(), known, GpuProfile::maxBatch, need);
    long kv = figure("simulated.kv-cache-tokens", simulated.kvCacheTokens(), known, GpuProfile::kvCacheTokens, need);
    long price = figure("price-per-gpu-hour-micros", worker.pricePerGpuHourMicros(), known,
        GpuProfile::pricePerGpuHourMicros, need);
    return new GpuProfile(known.map(GpuProfile::gpuType).orElse(type), prefill, decode, slowdown, batch, kv, price);
  }

  private static <T> T figure(String name, T set, Optional<GpuProfile> known, Function<GpuProfile, T> builtIn,
                              String need) {
    if (set != null) {
      return set;
    }
    return known.map(builtIn).orElseThrow(() -> new ConfigException("silkroute.worker." + name + " must " + need));
  }

  static void positive(String property, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigException(property + " must be a positive duration such as 500ms, 5s or 1m, was '" + value + "'");
    }
  }

  private static Optional<String> nonBlank(String value) {
    return Optional.ofNullable(value).map(String::trim).filter(s -> !s.isEmpty());
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** A configuration value is missing or wrong; the message names the property. */
  public static final class ConfigException extends IllegalArgumentException {
    ConfigException(String message) {
      super(message);
    }
  }
}
