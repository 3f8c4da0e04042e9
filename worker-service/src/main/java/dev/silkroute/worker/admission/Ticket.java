package dev.silkroute.worker.admission;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** One request's place in admission: waiting, then running, until released. */
public final class Ticket {
  private final Admission admission;
  final long kvTokens;
  final long offeredNanos;
  final Consumer<Ticket> onAdmitted;
  private final AtomicBoolean released = new AtomicBoolean();
  // Written under the admission's lock; -1 while waiting.
  volatile long admittedNanos = -1;

  Ticket(Admission admission, long kvTokens, long offeredNanos, Consumer<Ticket> onAdmitted) {
    this.admission = admission;
    this.kvTokens = kvTokens;
    this.offeredNanos = offeredNanos;
    this.onAdmitted = onAdmitted;
  }

  /** Nanoseconds spent waiting for admission; only meaningful once admitted. */
  public long queueNanos() {
    return admittedNanos < 0 ? 0 : admittedNanos - offeredNanos;
  }

  public boolean admitted() {
    return admittedNanos >= 0;
  }

  /** Gives back the slot, or the queue place if still waiting. Idempotent. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      admission.release(this);
    }
  }
}
