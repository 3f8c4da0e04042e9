package dev.silkroute.router.chat;

/** Where a streamed answer goes: one server-sent event per call. */
public interface SseOut {

  /** Sends {@code data: <json>}. */
  void data(String json);

  /** Sends the terminator {@code data: [DONE]} and ends the stream. */
  void done();
}
