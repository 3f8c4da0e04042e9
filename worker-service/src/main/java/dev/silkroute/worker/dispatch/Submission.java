package dev.silkroute.worker.dispatch;

/** The outcome of submitting a request to the worker. */
public sealed interface Submission {
  /** Running or queued; {@code cancel()} stops it and frees its place. */
  record Accepted(Runnable cancel) implements Submission {}

  record Rejected(Reason reason, String description) implements Submission {}

  enum Reason {
    /** The worker does not serve the model. */
    UNKNOWN_MODEL,
    /** Running set and queue are full, or the request could never fit the KV cache. */
    OVERLOADED,
    /** The worker is shutting down and admits nothing new. */
    DRAINING
  }
}
