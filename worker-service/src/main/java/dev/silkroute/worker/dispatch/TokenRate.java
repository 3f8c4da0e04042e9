package dev.silkroute.worker.dispatch;

import java.util.function.LongSupplier;

/** Tokens generated over the last second, in ten 100 ms buckets on an injected clock. */
final class TokenRate {
  private static final int BUCKETS = 10;
  private static final long BUCKET_NANOS = 100_000_000L;

  private final LongSupplier nanoTime;
  private final long[] counts = new long[BUCKETS]; // guarded by this
  private final long[] bucketIds = new long[BUCKETS]; // guarded by this

  TokenRate(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    java.util.Arrays.fill(bucketIds, Long.MIN_VALUE);
  }

  synchronized void add(long tokens) {
    long id = Math.floorDiv(nanoTime.getAsLong(), BUCKET_NANOS);
    int slot = (int) Math.floorMod(id, BUCKETS);
    if (bucketIds[slot] != id) {
      bucketIds[slot] = id;
      counts[slot] = 0;
    }
    counts[slot] += tokens;
  }

  /** Tokens per second over the last full second (the current partial bucket included). */
  synchronized double perSecond() {
    long now = Math.floorDiv(nanoTime.getAsLong(), BUCKET_NANOS);
    long sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketIds[i] > now - BUCKETS) {
        sum += counts[i];
      }
    }
    return sum;
  }
}
