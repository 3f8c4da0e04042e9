package dev.silkroute.worker.dispatch;

/** What a GPU costs, and so what a share of its time costs. Money in micro-USD, rounded half up. */
public record GpuPrice(long perGpuHourMicros) {
  private static final long MICROS_PER_HOUR = 3_600_000_000L;

  public GpuPrice {
    if (perGpuHourMicros < 0) {
      throw new IllegalArgumentException("perGpuHourMicros must be >= 0, was " + perGpuHourMicros);
    }
  }

  /** Cost of {@code gpuMicros} microseconds of GPU time, micro-USD. */
  public long costMicros(long gpuMicros) {
    // gpuMicros * price stays below Long.MAX_VALUE for ~100 GPU-days at $100/h; multiplyExact says so if not.
    return (Math.multiplyExact(gpuMicros, perGpuHourMicros) + MICROS_PER_HOUR / 2) / MICROS_PER_HOUR;
  }
}
