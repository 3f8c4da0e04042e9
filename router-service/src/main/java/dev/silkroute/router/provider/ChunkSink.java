package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Receives an upstream's stream, one OpenAI-shaped {@code chat.completion.chunk} at a time. */
@FunctionalInterface
public interface ChunkSink {

  void chunk(ObjectNode chunk);
}
