package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives an upstream's stream, one OpenAI-shaped {@code chat.completion.chunk} at a time. */
@FunctionalInterface
public interface ChunkSink {

  void chunk(ObjectNode chunk);

  /**
   * A chunk, and whether more of the stream (another chunk, or its end) is already at hand. With
   * {@code more}, the sink may hold the chunk back to pass it on together with what follows: one
   * write to the client instead of many when an upstream sends a burst.
   */
  default void chunk(ObjectNode chunk, boolean more) {
    chunk(chunk);
  }
}
