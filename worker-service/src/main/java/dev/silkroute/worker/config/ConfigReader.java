package dev.silkroute.worker.config;

import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.worker.config.WorkerConfig.EngineType;
import dev.silkroute.worker.engine.GpuProfile;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds a {@link WorkerConfig} from string properties (Micronaut's environment at the edge, a map
 * in tests), applying defaults and failing with the property's name and bad value.
 */
public final class ConfigReader {
  public static final String PREFIX = "silkroute.worker.";
  public static final List<String> DEFAULT_MODELS = List.of("deepseek/deepseek-chat-v3", "qwen/qwen3-32b");

  private final Function<String, Optional<String>> properties;

  /** @param properties property name to value, empty when unset */
  public ConfigReader(Function<String, Optional<String>> properties) {
    this.properties = properties;
  }

  public WorkerConfig read() {
    int grpcPort = intValue("grpc-port", 9091, 0, 65_535);
    // Host and port: two workers on one box (one per GPU) get different ids.
    String workerId = string("id").orElseGet(() -> "worker-" + hostname() + "-" + grpcPort);
    String address = string("advertised-address").orElseGet(() -> hostname() + ":" + grpcPort);
    List<String> models = string("models")
        .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList())
        .orElse(DEFAULT_MODELS);
    if (models.isEmpty()) {
      throw bad("models", "", "at least one model");
    }
    for (String model : models) {
      if (!model.matches("[^/\\s]+/[^/\\s]+")) {
        throw bad("models", model, "model ids look like author/slug");
      }
    }
    String engineName = string("engine").orElse("simulated");
    EngineType engine = EngineType.of(engineName)
        .orElseThrow(() -> bad("engine", engineName, "simulated or openai-compatible"));
    GpuProfile gpu = gpuProfile();
    int maxRunning = intValue("max-running", engine == EngineType.SIMULATED ? gpu.maxBatch() : 16, 1, 100_000);
    int maxQueued = intValue("max-queued", maxRunning, 0, 1_000_000);
    int defaultMaxTokens = intValue("default-max-tokens", 1024, 1, 1_000_000);
    Duration drainTimeout = duration("drain-timeout", Duration.ofSeconds(30));
    Optional<WorkerConfig.OpenAiCompatible> openAi = engine == EngineType.OPENAI_COMPATIBLE
        ? Optional.of(new WorkerConfig.OpenAiCompatible(
            uri("openai-compatible.url").orElseThrow(() -> bad("openai-compatible.url", "", "required with engine openai-compatible")),
            string("openai-compatible.api-key"),
            duration("openai-compatible.timeout", Duration.ofSeconds(30))))
        : Optional.empty();
    return new WorkerConfig(workerId, grpcPort, address, models, engine, gpu, maxRunning, maxQueued,
        defaultMaxTokens, drainTimeout, openAi, heartbeat());
  }

  private GpuProfile gpuProfile() {
    String type = string("gpu-type").orElse("H100");
    Optional<GpuProfile> known = GpuProfile.known(type);
    // A built-in profile gives defaults; each figure can be overridden, and an unknown GPU needs all.
    String need = "set, because gpu-type " + type + " has no built-in profile (H100, H20, A100, L40S, RTX4090)";
    double prefill = doubleValue("simulated.prefill-tokens-per-second", known.map(GpuProfile::prefillTokensPerSecond), need);
    double decode = doubleValue("simulated.decode-tokens-per-second", known.map(GpuProfile::decodeTokensPerSecond), need);
    double slowdown = doubleValue("simulated.decode-slowdown-per-sequence", known.map(GpuProfile::decodeSlowdownPerSequence), need);
    double batch = doubleValue("simulated.max-batch", known.map(p -> (double) p.maxBatch()), need);
    double kv = doubleValue("simulated.kv-cache-tokens", known.map(p -> (double) p.kvCacheTokens()), need);
    double price = doubleValue("price-per-gpu-hour-micros", known.map(p -> (double) p.pricePerGpuHourMicros()), need);
    try {
      return new GpuProfile(known.map(GpuProfile::gpuType).orElse(type), prefill, decode, slowdown,
          (int) batch, (long) kv, (long) price);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("invalid GPU profile under " + PREFIX + "simulated.* / price-per-gpu-hour-micros: "
          + e.getMessage(), e);
    }
  }

  private WorkerConfig.HeartbeatConfig heartbeat() {
    boolean enabled = string("heartbeat.enabled").map(v -> switch (v.toLowerCase()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad("heartbeat.enabled", v, "true or false");
    }).orElse(true);
    URI redis = properties.apply("silkroute.redis.uri").map(v -> parseUri("silkroute.redis.uri", v))
        .orElse(URI.create("redis://127.0.0.1:6379"));
    Duration interval = duration("heartbeat.interval", Duration.ofSeconds(1));
    Duration ttl = duration("heartbeat.ttl", Duration.ofSeconds(5));
    if (ttl.compareTo(interval) <= 0) {
      throw bad("heartbeat.ttl", ttl.toString(), "longer than heartbeat.interval (" + interval + ")");
    }
    return new WorkerConfig.HeartbeatConfig(enabled, redis, string("heartbeat.key-prefix").orElse(RedisKeys.DEFAULT_PREFIX),
        interval, ttl, duration("heartbeat.min-spacing", Duration.ofMillis(50)));
  }

  private Optional<String> string(String name) {
    return properties.apply(PREFIX + name).map(String::trim).filter(s -> !s.isEmpty());
  }

  private int intValue(String name, int fallback, int min, int max) {
    Optional<String> raw = string(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        throw bad(name, raw.get(), "between " + min + " and " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw bad(name, raw.get(), "an integer");
    }
  }

  private double doubleValue(String name, Optional<Double> fallback, String whenMissing) {
    Optional<String> raw = string(name).map(s -> s.replace("_", ""));
    if (raw.isEmpty()) {
      return fallback.orElseThrow(() -> bad(name, "", whenMissing));
    }
    try {
      return Double.parseDouble(raw.get());
    } catch (NumberFormatException e) {
      throw bad(name, raw.get(), "a number");
    }
  }

  private Duration duration(String name, Duration fallback) {
    Optional<String> raw = string(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    String v = raw.get();
    try {
      Duration d;
      if (v.matches("\\d+ms")) {
        d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      } else if (v.matches("\\d+s")) {
        d = Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
      } else if (v.matches("\\d+m")) {
        d = Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
      } else {
        d = Duration.parse(v);
      }
      if (d.isNegative() || d.isZero()) {
        throw bad(name, v, "a positive duration");
      }
      return d;
    } catch (DateTimeParseException | NumberFormatException e) {
      throw bad(name, v, "a duration such as 500ms, 5s, 1m or PT5S");
    }
  }

  private Optional<URI> uri(String name) {
    return string(name).map(v -> parseUri(PREFIX + name, v));
  }

  private static URI parseUri(String fullName, String value) {
    try {
      URI uri = URI.create(value);
      if (uri.getScheme() == null || uri.getHost() == null) {
        throw new ConfigException(fullName + " must be an absolute URL with a host, was '" + value + "'");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(fullName + " is not a URL: '" + value + "'", e);
    }
  }

  private static ConfigException bad(String name, String value, String expected) {
    return new ConfigException(PREFIX + name + " must be " + expected + ", was '" + value + "'");
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** A configuration value is missing or wrong; the message names the property. */
  public static final class ConfigException extends RuntimeException {
    ConfigException(String message) {
      super(message);
    }

    ConfigException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
