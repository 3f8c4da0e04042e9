package dev.silkroute.worker.engine;

import java.util.List;

/** An engine's answer to an {@link EmbeddingRequest}: one vector per input, in order. */
public record Embeddings(List<float[]> vectors, long promptTokens) {
  public Embeddings {
    vectors = List.copyOf(vectors);
  }
}
