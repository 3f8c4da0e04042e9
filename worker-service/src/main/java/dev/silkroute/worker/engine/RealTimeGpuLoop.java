package dev.silkroute.worker.engine;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Runs a {@link SimulatedGpu}'s steps in real time on one thread: a step's tokens appear when its
 * duration has passed. Deadlines accumulate, so sub-millisecond steps keep their average rate even
 * though a single park is coarser.
 */
public final class RealTimeGpuLoop implements AutoCloseable {
  /** Catch up at most this much after a stall (GC, overloaded box), then carry on at normal pace. */
  private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final SimulatedGpu gpu;
  private final LongSupplier nanoTime;
  private final Thread thread;
  private volatile boolean closed;

  public RealTimeGpuLoop(SimulatedGpu gpu, LongSupplier nanoTime) {
    this.gpu = gpu;
    this.nanoTime = nanoTime;
    this.thread = new Thread(this::run, "simulated-gpu-" + gpu.profile().gpuType());
    this.thread.setDaemon(true);
  }

  public RealTimeGpuLoop start() {
    thread.start();
    return this;
  }

  private void run() {
    long deadline = nanoTime.getAsLong();
    while (!closed) {
      SimulatedGpu.Step step = gpu.nextStep();
      if (step == null) {
        try {
          gpu.awaitWork(100, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
        deadline = nanoTime.getAsLong();
        continue;
      }
      deadline = Math.max(deadline, nanoTime.getAsLong() - MAX_LAG_NANOS) + step.durationNanos();
      long wait;
      while (!closed && (wait = deadline - nanoTime.getAsLong()) > 0) {
        LockSupport.parkNanos(wait);
      }
      if (!closed) {
        step.complete();
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
