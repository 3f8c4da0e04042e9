package dev.silkroute.worker.engine;

/** A generation in progress. */
public interface Generation {
  /** Stops generating and frees what it holds; no more sink calls follow (one in flight may). Idempotent. */
  void cancel();
}
