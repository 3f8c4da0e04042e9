package dev.silkroute.worker.engine;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a GPU serves one ~30B-parameter dense model (Qwen3-32B class, FP8 weights where the card
 * has room, 4-bit on 24 GB cards), as the simulated engine models it.
 *
 * <p>Decode is memory-bandwidth bound: a step reads all weights once whatever the batch, so a
 * step for a batch of b sequences takes {@code (1 + decodeSlowdownPerSequence * (b - 1))} times the
 * batch-1 step. Each sequence then gets {@code decodeTokensPerSecond / (1 + s(b-1))} tokens/s and
 * the GPU {@code b} times that, saturating towards {@code decodeTokensPerSecond / s}: the curve
 * vLLM benchmarks show (per-sequence speed falls slowly while throughput climbs). Prefill is
 * compute bound and linear in prompt tokens. Figures are rounded from public vLLM benchmarks and
 * memory bandwidth ratios; they are meant to give realistic shapes, not to predict a given card.
 *
 * @param decodeTokensPerSecond tokens/s of one sequence decoding alone (batch 1)
 * @param decodeSlowdownPerSequence extra step time per additional sequence, fraction of the batch-1 step
 * @param maxBatch sequences decoded together at most
 * @param kvCacheTokens KV-cache capacity, tokens (prompt + generated, all sequences together)
 * @param pricePerGpuHourMicros on-demand cloud price, micro-USD per GPU-hour
 */
public record GpuProfile(
    String gpuType,
    double prefillTokensPerSecond,
    double decodeTokensPerSecond,
    double decodeSlowdownPerSequence,
    int maxBatch,
    long kvCacheTokens,
    long pricePerGpuHourMicros) {

  private static final Map<String, GpuProfile> KNOWN = Map.of(
      "H100", new GpuProfile("H100", 10_000, 70, 0.020, 64, 160_000, 2_500_000),
      "H20", new GpuProfile("H20", 3_000, 80, 0.035, 64, 220_000, 1_200_000),
      "A100", new GpuProfile("A100", 5_000, 40, 0.030, 48, 60_000, 1_500_000),
      "L40S", new GpuProfile("L40S", 3_500, 22, 0.040, 32, 40_000, 900_000),
      "RTX4090", new GpuProfile("RTX4090", 2_500, 35, 0.050, 16, 12_000, 400_000));

  public GpuProfile {
    if (gpuType == null || gpuType.isBlank()) {
      throw new IllegalArgumentException("gpuType must not be blank");
    }
    requirePositive("prefillTokensPerSecond", prefillTokensPerSecond);
    requirePositive("decodeTokensPerSecond", decodeTokensPerSecond);
    if (!(decodeSlowdownPerSequence >= 0)) {
      throw new IllegalArgumentException("decodeSlowdownPerSequence must be >= 0, was " + decodeSlowdownPerSequence);
    }
    requirePositive("maxBatch", maxBatch);
    requirePositive("kvCacheTokens", kvCacheTokens);
    if (pricePerGpuHourMicros < 0) {
      throw new IllegalArgumentException("pricePerGpuHourMicros must be >= 0, was " + pricePerGpuHourMicros);
    }
  }

  /** A built-in profile by GPU type (H100, H20, A100, L40S, RTX4090), case-insensitive. */
  public static Optional<GpuProfile> known(String gpuType) {
    return Optional.ofNullable(KNOWN.get(gpuType.toUpperCase(Locale.ROOT).replace(" ", "")));
  }

  /** Duration of one decode step for {@code batch} sequences, nanoseconds. */
  public long decodeStepNanos(int batch) {
    double batch1 = 1e9 / decodeTokensPerSecond;
    return Math.round(batch1 * (1 + decodeSlowdownPerSequence * Math.max(0, batch - 1)));
  }

  /** Duration of prefilling {@code tokens} prompt tokens, nanoseconds. */
  public long prefillNanos(long tokens) {
    return Math.round(tokens * 1e9 / prefillTokensPerSecond);
  }

  private static void requirePositive(String name, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }
  }
}
