package dev.silkroute.router.provider;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * That the client of a streamed request went away, told to whoever holds something open for it
 * (an upstream connection, a gRPC call). Nothing polls an asynchronous stream, so the holder
 * registers a hook instead. Thread-safe; each hook runs once, on the thread that cancels.
 */
public final class Cancellation {

  /** How often {@link #await} looks at a polled flag: the delay before a cancel is passed on. */
  private static final long POLL_MILLIS = 50;

  private final List<Runnable> hooks = new ArrayList<>(2);
  private volatile boolean cancelled;

  public boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code hook} on cancel, or at once when already cancelled. */
  public void onCancel(Runnable hook) {
    synchronized (hooks) {
      if (!cancelled) {
        hooks.add(hook);
        return;
      }
    }
    hook.run();
  }

  public void cancel() {
    List<Runnable> toRun;
    synchronized (hooks) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      toRun = List.copyOf(hooks);
      hooks.clear();
    }
    toRun.forEach(Runnable::run);
  }

  /**
   * Waits until {@code future} is done, cancelling once {@code cancelled} turns true: the bridge for
   * callers that still hand over a flag to poll. Interrupted, it cancels, waits for the (then prompt)
   * end and keeps the interrupt flag set.
   */
  public void await(Future<?> future, BooleanSupplier cancelled) {
    boolean interrupted = false;
    while (!future.isDone()) {
      try {
        future.get(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (cancelled.getAsBoolean()) {
          cancel();
        }
      } catch (InterruptedException e) {
        interrupted = true;
        cancel();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
        break; // done: the caller reads the outcome
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
