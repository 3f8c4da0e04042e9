package dev.silkroute.worker.engine;

import java.util.function.LongSupplier;

/**
 * Apportions the wall time of an engine we cannot see inside (vLLM, llama.cpp, ...) to the
 * requests running on it, as processor sharing: while n requests run, each is charged 1/n of
 * every nanosecond. Kept as one virtual clock that advances at 1/n, so a request's share is the
 * virtual time between its join and its leave, whatever came and went meanwhile.
 */
final class ProcessorShare {
  private final LongSupplier nanoTime;
  private double virtualNanos; // guarded by this
  private long lastNanos; // guarded by this
  private int running; // guarded by this

  ProcessorShare(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastNanos = nanoTime.getAsLong();
  }

  /** Registers a running request; the returned mark goes to {@link #leave}. */
  synchronized double join() {
    advance();
    running++;
    return virtualNanos;
  }

  /** Unregisters a request; returns its share of GPU time since {@code mark}, nanoseconds. */
  synchronized long leave(double mark) {
    advance();
    running--;
    return Math.round(virtualNanos - mark);
  }

  private void advance() {
    long now = nanoTime.getAsLong();
    if (running > 0) {
      virtualNanos += (double) (now - lastNanos) / running;
    }
    lastNanos = now;
  }
}
