package dev.silkroute.router.provider.http;

/** One request and its answer, in flight. */
public interface Exchange {

  /**
   * Abandons the exchange: its connection is closed (it cannot be reused mid-answer) and the
   * listener hears nothing more. From any thread; a no-op once the answer ended.
   */
  default void cancel() {
    cancel(null);
  }

  /**
   * {@link #cancel()}, then runs {@code then} (if not null) on the exchange's event loop, after which
   * the listener is never called again: what {@code then} does cannot race a callback.
   */
  void cancel(Runnable then);
}
