package dev.silkroute.router.hedge;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How many hedges the router may still start: a token bucket that every request fills by
 * {@code sharePercent}/100 of a token and every window by {@code reserve} tokens, emptied when its
 * window ends. So within any window at most {@code share x requests + reserve} hedges start, however
 * slow the providers: hedging can never double the traffic to them. Thread-safe; the lock is held for
 * a few arithmetic operations.
 */
final class HedgeBudget {

  /** A hedge costs one token; tokens are counted in hundredths so that a request's share is whole. */
  private static final long TOKEN = 100;

  private final long sharePerRequest;
  private final long reserve;
  private final long windowNanos;
  private final LongSupplier nanos;
  private long windowStart;
  private long tokens;

  HedgeBudget(int sharePercent, int reservePerWindow, Duration window, LongSupplier nanos) {
    this.sharePerRequest = sharePercent;
    this.reserve = reservePerWindow * TOKEN;
    this.windowNanos = window.toNanos();
    this.nanos = nanos;
    this.windowStart = nanos.getAsLong();
    this.tokens = reserve;
  }

  /** A request was seen: its share of a hedge is added. */
  synchronized void request() {
    roll();
    tokens += sharePerRequest;
  }

  /** Takes one hedge from the budget; false when the window's hedges are spent. */
  synchronized boolean tryAcquire() {
    roll();
    if (tokens < TOKEN) {
      return false;
    }
    tokens -= TOKEN;
    return true;
  }

  /** Gives back a hedge taken but not started (no candidate would take it). */
  synchronized void release() {
    tokens += TOKEN;
  }

  private void roll() {
    long now = nanos.getAsLong();
    if (now - windowStart >= windowNanos) {
      windowStart = now - (now - windowStart) % windowNanos;
      tokens = reserve;
    }
  }
}
