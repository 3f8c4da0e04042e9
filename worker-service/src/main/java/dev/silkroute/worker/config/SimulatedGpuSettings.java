package dev.silkroute.worker.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;

/**
 * Figures that override the GPU profile, one by one ({@code silkroute.worker.simulated.*}); every one
 * is required for a gpu-type without a built-in profile. Empty = the profile's.
 */
@ConfigurationProperties("silkroute.worker.simulated")
public record SimulatedGpuSettings(
    @Nullable @Positive(message = "silkroute.worker.simulated.prefill-tokens-per-second must be positive, was {validatedValue}") Double prefillTokensPerSecond,
    @Nullable @Positive(message = "silkroute.worker.simulated.decode-tokens-per-second must be positive, was {validatedValue}") Double decodeTokensPerSecond,
    @Nullable @PositiveOrZero(message = "silkroute.worker.simulated.decode-slowdown-per-sequence must be 0 or more, was {validatedValue}") Double decodeSlowdownPerSequence,
    @Nullable @Positive(message = "silkroute.worker.simulated.max-batch must be positive, was {validatedValue}") Integer maxBatch,
    @Nullable @Positive(message = "silkroute.worker.simulated.kv-cache-tokens must be positive, was {validatedValue}") Long kvCacheTokens) {

  /** None set: the profile as it is built in. */
  public static final SimulatedGpuSettings PROFILE = new SimulatedGpuSettings(null, null, null, null, null);
}
