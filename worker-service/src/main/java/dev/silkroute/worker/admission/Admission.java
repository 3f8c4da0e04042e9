package dev.silkroute.worker.admission;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides whether a request runs now, waits, or is turned away. A request runs when fewer than
 * {@code maxRunning} run and the KV cache has room for its worst case (prompt plus max tokens,
 * reserved up front as TGI does, so that a running sequence is never preempted); otherwise it
 * waits in a FIFO queue of at most {@code maxQueued}; beyond that it is rejected at once so
 * that the router can go elsewhere. Waiting requests are started strictly in arrival order: a
 * small one never overtakes a large one, which keeps the TTFT of a large one bounded.
 *
 * <p>Thread-safe. Callbacks ({@code onAdmitted}, change listeners) run outside the lock, on the
 * thread that made room.
 */
public final class Admission {
  private final int maxRunning;
  private final int maxQueued;
  private final long kvCapacityTokens;
  private final LongSupplier nanoTime;
  private final Runnable onChange;

  private final Deque<Ticket> queue = new ArrayDeque<>(); // guarded by this
  private int running; // guarded by this
  private long kvReserved; // guarded by this

  /**
   * @param kvCapacityTokens {@link Long#MAX_VALUE} when the engine's cache is not ours to count
   * @param onChange called after every change of running, queued or KV reservations
   */
  public Admission(int maxRunning, int maxQueued, long kvCapacityTokens, LongSupplier nanoTime, Runnable onChange) {
    if (maxRunning < 1) {
      throw new IllegalArgumentException("maxRunning must be >= 1, was " + maxRunning);
    }
    if (maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued must be >= 0, was " + maxQueued);
    }
    if (kvCapacityTokens < 1) {
      throw new IllegalArgumentException("kvCapacityTokens must be >= 1, was " + kvCapacityTokens);
    }
    this.maxRunning = maxRunning;
    this.maxQueued = maxQueued;
    this.kvCapacityTokens = kvCapacityTokens;
    this.nanoTime = nanoTime;
    this.onChange = Objects.requireNonNull(onChange, "onChange");
  }

  /**
   * Offers a request needing {@code kvTokens} of KV cache. When it is admitted, now or later,
   * {@code onAdmitted} runs with its ticket (now: before this returns).
   */
  public Decision offer(long kvTokens, java.util.function.Consumer<Ticket> onAdmitted) {
    if (kvTokens > kvCapacityTokens) {
      return new Decision.Rejected("request needs " + kvTokens + " KV-cache tokens (prompt + max_tokens); this worker holds "
          + kvCapacityTokens);
    }
    Ticket ticket = new Ticket(this, kvTokens, nanoTime.getAsLong(), onAdmitted);
    Decision decision;
    synchronized (this) {
      if (queue.isEmpty() && fits(kvTokens)) {
        start(ticket);
        decision = new Decision.Admitted(ticket);
      } else if (queue.size() < maxQueued) {
        queue.addLast(ticket);
        decision = new Decision.Queued(ticket);
      } else {
        return new Decision.Rejected("worker is full: " + running + "/" + maxRunning + " running, "
            + queue.size() + "/" + maxQueued + " queued, KV cache " + kvReserved + "/" + kvCapacityTokens + " tokens");
      }
    }
    if (decision instanceof Decision.Admitted) {
      ticket.onAdmitted.accept(ticket);
    }
    onChange.run();
    return decision;
  }

  public synchronized Snapshot snapshot() {
    return new Snapshot(running, queue.size(), maxRunning, maxQueued,
        kvCapacityTokens == Long.MAX_VALUE ? 0.0 : (double) kvReserved / kvCapacityTokens);
  }

  /** True when a request needing {@code kvTokens} would start at once. */
  public synchronized boolean wouldStartNow(long kvTokens) {
    return queue.isEmpty() && fits(kvTokens);
  }

  /** Frees what {@code ticket} holds (its slot or its queue place) and starts whoever now fits. */
  void release(Ticket ticket) {
    List<Ticket> started = new ArrayList<>();
    synchronized (this) {
      if (ticket.admittedNanos >= 0) {
        running--;
        kvReserved -= ticket.kvTokens;
      } else {
        queue.remove(ticket);
      }
      while (!queue.isEmpty() && fits(queue.peekFirst().kvTokens)) {
        Ticket next = queue.pollFirst();
        start(next);
        started.add(next);
      }
    }
    started.forEach(t -> t.onAdmitted.accept(t));
    onChange.run();
  }

  private boolean fits(long kvTokens) {
    return running < maxRunning && kvReserved + kvTokens <= kvCapacityTokens;
  }

  private void start(Ticket ticket) {
    running++;
    kvReserved += ticket.kvTokens;
    ticket.admittedNanos = nanoTime.getAsLong();
  }

  /** The outcome of an offer. */
  public sealed interface Decision {
    record Admitted(Ticket ticket) implements Decision {}

    record Queued(Ticket ticket) implements Decision {}

    record Rejected(String reason) implements Decision {}
  }

  /**
   * Load as admission sees it.
   *
   * @param kvCacheUse reserved KV-cache fraction, 0 to 1; 0 when the engine's cache is not ours to count
   */
  public record Snapshot(int running, int queued, int maxRunning, int maxQueued, double kvCacheUse) {
    public boolean idle() {
      return running == 0 && queued == 0;
    }
  }
}
