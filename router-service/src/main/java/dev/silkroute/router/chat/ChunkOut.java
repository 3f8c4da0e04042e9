package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where a streamed answer goes, one OpenAI-shaped {@code chat.completion.chunk} at a time (the
 * error chunk and the closing usage chunk included), then {@link #done()}. Each edge renders them in
 * its own form: server-sent events, gRPC messages, or another API's event sequence.
 */
public interface ChunkOut {

  /** One chunk; the chunk is the receiver's from here on. */
  default void chunk(ObjectNode chunk) {
    chunk(chunk, false);
  }

  /**
   * One chunk; with {@code more}, it may be held back and sent together with the next one, which the
   * caller promises to send (or {@link #done()}) without waiting for anything.
   */
  void chunk(ObjectNode chunk, boolean more);

  /** The answer is complete (SSE's {@code data: [DONE]}). */
  void done();
}
