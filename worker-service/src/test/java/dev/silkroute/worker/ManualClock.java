package dev.silkroute.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when a test says so. */
public final class ManualClock implements LongSupplier {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  @Override
  public long getAsLong() {
    return nanos.get();
  }

  public void advanceNanos(long delta) {
    nanos.addAndGet(delta);
  }

  public void advance(long amount, TimeUnit unit) {
    advanceNanos(unit.toNanos(amount));
  }
}
