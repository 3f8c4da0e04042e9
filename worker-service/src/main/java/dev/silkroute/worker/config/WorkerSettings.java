package dev.silkroute.worker.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;

/**
 * The worker's own settings ({@code silkroute.worker.*}, env {@code SILKROUTE_WORKER_*}), as bound;
 * {@link WorkerConfigs} derives the defaults that depend on others (id, address, concurrency).
 *
 * @param id                    empty = worker-&lt;hostname&gt;-&lt;grpc-port&gt;
 * @param advertisedAddress     host:port routers dial; empty = &lt;hostname&gt;:&lt;grpc-port&gt;
 * @param models                author/slug ids, a YAML list or comma-separated
 * @param engine                simulated or openai-compatible
 * @param gpuType               a built-in profile (H100, H20, A100, L40S, RTX4090) or any name with every
 *                              {@code simulated.*} figure and the price set
 * @param pricePerGpuHourMicros micro-USD per GPU-hour; empty = the profile's
 * @param maxRunning            empty = the profile's max-batch (simulated) or 16
 * @param maxQueued             empty = max-running
 * @param defaultMaxTokens      max tokens for a request that sets none
 * @param drainTimeout          how long shutdown waits for running requests
 */
@ConfigurationProperties("silkroute.worker")
public record WorkerSettings(
    @Nullable String id,
    @Min(value = 0, message = PORT) @Max(value = 65_535, message = PORT) @Bindable(defaultValue = "9091") int grpcPort,
    @Nullable String advertisedAddress,
    @NotEmpty(message = "silkroute.worker.models must name at least one model") @Bindable(defaultValue = "deepseek/deepseek-chat-v3,qwen/qwen3-32b") List<String> models,
    @Pattern(regexp = "(?i)simulated|openai-compatible", message = "silkroute.worker.engine must be simulated or openai-compatible, was '{validatedValue}'") @Bindable(defaultValue = "simulated") String engine,
    @NotBlank(message = "silkroute.worker.gpu-type must not be blank") @Bindable(defaultValue = "H100") String gpuType,
    @Nullable @PositiveOrZero(message = "silkroute.worker.price-per-gpu-hour-micros must be 0 or more, was {validatedValue}") Long pricePerGpuHourMicros,
    @Nullable @Min(value = 1, message = RUNNING) @Max(value = 100_000, message = RUNNING) Integer maxRunning,
    @Nullable @Min(value = 0, message = QUEUED) @Max(value = 1_000_000, message = QUEUED) Integer maxQueued,
    @Min(value = 1, message = TOKENS) @Max(value = 1_000_000, message = TOKENS) @Bindable(defaultValue = "1024") int defaultMaxTokens,
    @Bindable(defaultValue = "30s") Duration drainTimeout) {

  private static final String PORT = "silkroute.worker.grpc-port must be between 0 and 65535, was {validatedValue}";
  private static final String RUNNING = "silkroute.worker.max-running must be between 1 and 100000, was '{validatedValue}'";
  private static final String QUEUED = "silkroute.worker.max-queued must be between 0 and 1000000, was {validatedValue}";
  private static final String TOKENS = "silkroute.worker.default-max-tokens must be between 1 and 1000000, was {validatedValue}";

  public WorkerSettings {
    models = models == null ? List.of() : models.stream().map(String::trim).filter(m -> !m.isEmpty()).toList();
    for (String model : models) {
      if (!model.matches("[^/\\s]+/[^/\\s]+")) {
        throw new WorkerConfigs.ConfigException("silkroute.worker.models must be author/slug ids, was '" + model + "'");
      }
    }
    WorkerConfigs.positive("silkroute.worker.drain-timeout", drainTimeout);
  }
}
