package dev.silkroute.router.chat;

import dev.silkroute.router.core.Cancellation;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Watches one attempt for a hanging upstream: no first chunk (or, not streamed, no answer) within the
 * first-byte timeout gives the attempt up (the request moves on to the next endpoint), and once a
 * stream started, no chunk for the stall timeout ends it. Either closes the upstream through the
 * attempt's own {@link Cancellation}. Thread-safe: chunks arrive on the upstream's threads, the timers fire
 * where {@link Deadlines.Timers} keeps them, the end is handled on the request's event loop; one state
 * decides which wins.
 * A hedged request watches each of its two legs with its own; the leg that loses is closed through
 * {@link #lose()}.
 */
final class AttemptWatch {

  private enum State { WAITING, STREAMING, TIMED_OUT, STALLED, LOST, ENDED }

  private final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
  private final Cancellation upstream = new Cancellation();
  private final Duration stall;
  private final LongSupplier nanos;
  private final Deadlines.Timers timers;
  private final ScheduledFuture<?> firstByte;
  private volatile ScheduledFuture<?> stallCheck;
  private volatile long lastChunkNanos;

  /**
   * @param request   the request's cancellation (the client went away): closes this attempt's upstream too
   * @param onTimeout what follows a first-byte timeout, run on {@code eventLoop}
   * @param timers    where the request keeps its timers
   */
  AttemptWatch(Cancellation request, Duration firstByteTimeout, Duration stall, LongSupplier nanos,
              Runnable onTimeout, Executor eventLoop, Deadlines.Timers timers) {
    this.stall = stall;
    this.nanos = nanos;
    this.timers = timers;
    request.onCancel(upstream::cancel);
    this.firstByte = timers.schedule(firstByteTimeout, () -> {
      if (state.compareAndSet(State.WAITING, State.TIMED_OUT)) {
        upstream.cancel();
        eventLoop.execute(onTimeout);
      }
    });
  }

  /** What the adapter watches for the close of this attempt's upstream. */
  Cancellation upstream() {
    return upstream;
  }

  /** A chunk arrived; false when the attempt was given up, and the chunk must not reach the client. */
  boolean chunk() {
    State now = state.get();
    if (now == State.STREAMING) {
      lastChunkNanos = nanos.getAsLong();
      return true;
    }
    if (now == State.WAITING && state.compareAndSet(State.WAITING, State.STREAMING)) {
      firstByte.cancel(false);
      lastChunkNanos = nanos.getAsLong();
      stallCheck = timers.schedule(stall, this::checkStall);
      return true;
    }
    return false;
  }

  /**
   * A non-streamed attempt's whole answer arrived; false when the attempt was given up at its
   * first-byte timeout already (and the answer must not reach the client). True for a leg that lost
   * to another leg of its request: its end is still to be recorded.
   */
  boolean whole() {
    if (state.compareAndSet(State.WAITING, State.ENDED) || state.compareAndSet(State.LOST, State.ENDED)) {
      firstByte.cancel(false);
      return true;
    }
    return false;
  }

  /** Whether the attempt still waits for its first chunk (or, not streamed, its answer). */
  boolean waiting() {
    return state.get() == State.WAITING;
  }

  /**
   * Another leg of the request won: this attempt's upstream is closed and its chunks go nowhere, but
   * its end is still handled (its usage is the operator's cost). False when it had ended already.
   */
  boolean lose() {
    while (true) {
      State now = state.get();
      if (now != State.WAITING && now != State.STREAMING) {
        return false;
      }
      if (state.compareAndSet(now, State.LOST)) {
        firstByte.cancel(false);
        ScheduledFuture<?> check = stallCheck;
        if (check != null) {
          check.cancel(false);
        }
        upstream.cancel();
        return true;
      }
    }
  }

  /**
   * The adapter's stream (or a non-streamed call, failed) ended; false when the attempt was given up
   * at its first-byte timeout already (and the end must be ignored: the request moved on).
   */
  boolean end() {
    while (true) {
      State now = state.get();
      if (now == State.TIMED_OUT) {
        return false;
      }
      if (now == State.STALLED || state.compareAndSet(now, State.ENDED)) {
        firstByte.cancel(false);
        ScheduledFuture<?> check = stallCheck;
        if (check != null) {
          check.cancel(false);
        }
        return true;
      }
    }
  }

  /** Whether the stream was ended for going silent after it started. */
  boolean stalled() {
    return state.get() == State.STALLED;
  }

  Duration stallTimeout() {
    return stall;
  }

  private void checkStall() {
    long silentNanos = nanos.getAsLong() - lastChunkNanos;
    if (silentNanos < stall.toNanos()) {
      if (state.get() == State.STREAMING) {
        stallCheck = timers.schedule(stall.minusNanos(silentNanos), this::checkStall);
      }
      return;
    }
    if (state.compareAndSet(State.STREAMING, State.STALLED)) {
      upstream.cancel();
    }
  }
}
