package dev.silkroute.providersim.internal.provider;

import dev.silkroute.providersim.Knobs;

/**
 * Spaces out tokens: the first at {@code ttft_ms} after the request arrived, then one every {@code
 * 1 / tokens_per_second}. Targets are absolute, so time spent writing does not accumulate as drift.
 */
public final class Pacer {

  private final long startNanos;
  private final long ttftNanos;
  private final double nanosPerToken;

  public Pacer(Knobs knobs, long startNanos) {
    this.startNanos = startNanos;
    this.ttftNanos = knobs.ttftMs() * 1_000_000L;
    this.nanosPerToken = knobs.tokensPerSecond() > 0 ? 1e9 / knobs.tokensPerSecond() : 0;
  }

  /** Blocks until the {@code index}-th token (0-based) is due. */
  public void awaitToken(long index) throws InterruptedException {
    long due = startNanos + ttftNanos + (long) (index * nanosPerToken);
    long wait = due - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000L, (int) (wait % 1_000_000L));
    }
  }
}
