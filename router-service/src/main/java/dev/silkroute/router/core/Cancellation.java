package dev.silkroute.router.core;

import java.util.ArrayList;
import java.util.List;

/**
 * That the client of a streamed request went away, told to whoever holds something open for it
 * (an upstream connection, a gRPC call). Nothing polls an asynchronous stream, so the holder
 * registers a hook instead. Thread-safe; each hook runs once, on the thread that cancels.
 */
public final class Cancellation {

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
}
