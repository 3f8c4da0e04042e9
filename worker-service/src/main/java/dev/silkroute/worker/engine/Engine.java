package dev.silkroute.worker.engine;

import java.util.concurrent.CompletableFuture;

/**
 * An inference engine behind the worker. Admission (how many run at once, the queue) is the
 * worker's; an engine is only asked to start what was admitted.
 */
public interface Engine extends AutoCloseable {
  /** Starts generating at once; output goes to {@code sink} on the engine's threads. */
  Generation start(GenerationRequest request, GenerationSink sink);

  /** KV-cache capacity in tokens, or {@link Long#MAX_VALUE} when the engine does not say. */
  long kvCapacityTokens();

  /**
   * Time to first token for a request of {@code promptTokens} that starts now on an engine
   * already running {@code running} sequences, milliseconds; the queue wait is added by the caller.
   */
  long nominalTtftMillis(long promptTokens, int running);

  /**
   * Prompt prefix hashes ({@link GenerationRequest#prefix()} values) whose KV blocks the engine holds
   * now, most recently used first, at most {@code max}; empty for an engine without a prefix cache it
   * can tell about.
   */
  default java.util.List<Long> heldPrefixes(int max) {
    return java.util.List.of();
  }

  /** Prompt tokens prefilled per second; 0 when the engine does not say. */
  default double prefillTokensPerSecond() {
    return 0;
  }

  /** Whether the engine makes embeddings ({@link #embedAsync}); chat-only engines do not. */
  default boolean embeds() {
    return false;
  }

  /**
   * The vectors for {@code request}; fails with an {@link EngineFailure} when the engine could not
   * make them, or {@link UnsupportedOperationException} when it makes none ({@link #embeds()} false).
   */
  default CompletableFuture<Embeddings> embedAsync(EmbeddingRequest request) {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("this engine makes no embeddings"));
  }

  @Override
  void close();
}
