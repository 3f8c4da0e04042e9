package dev.silkroute.router.chat;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the tasks handed to it one after another, in order, on {@code delegate}: a hedged request's
 * two legs end on their own, and the steps their ends start must not overlap even where the
 * request's executor is a pool (gRPC's call threads). A Netty event loop is serial already.
 */
final class SerialExecutor implements Executor {

  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    if (draining.compareAndSet(false, true)) {
      delegate.execute(this::drain);
    }
  }

  private void drain() {
    do {
      try {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
          task.run();
        }
      } finally {
        draining.set(false);
      }
      // A task added after the last poll but before the flag was cleared is run here.
    } while (!tasks.isEmpty() && draining.compareAndSet(false, true));
  }
}
