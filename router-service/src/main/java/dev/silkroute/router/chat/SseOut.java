package dev.silkroute.router.chat;

/** Where a streamed answer goes: one server-sent event per call. */
public interface SseOut {

  /** Sends {@code data: <json>}. */
  void data(String json);

  /**
   * Sends {@code data: <json>}; with {@code more}, it may be held back and sent together with the
   * next event, which the caller promises to send (or {@link #done()}) without waiting for anything.
   */
  default void data(String json, boolean more) {
    data(json);
  }

  /** Sends the terminator {@code data: [DONE]} and ends the stream. */
  void done();
}
