package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/** Speaks one upstream wire protocol; everything it returns is in OpenAI's chat shape. */
public interface ProviderAdapter {

  Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException;

  /**
   * {@link #complete} without holding the caller's thread while the upstream works: the future
   * fails with the {@link UpstreamException} that {@code complete} would throw. Callers may be on an
   * I/O event loop, so an implementation must not block before it returns.
   *
   * <p>This default is for adapters whose client blocks: it runs {@code complete} on {@code blocking}.
   * An adapter with a non-blocking client overrides it and leaves {@code blocking} alone.
   */
  default CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request, Executor blocking) {
    CompletableFuture<Completion> answer = new CompletableFuture<>();
    try {
      blocking.execute(() -> {
        try {
          answer.complete(complete(endpoint, request));
        } catch (Throwable failure) {
          // Whatever ends the call must end the future too: a request that never ends is never settled.
          answer.completeExceptionally(failure);
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      answer.completeExceptionally(shuttingDown);
    }
    return answer;
  }

  /**
   * Streams a generation into {@code sink}. Stops early, closing the upstream connection, once
   * {@code cancelled} turns true (the client went away).
   */
  StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException;

  /**
   * {@link #stream}, without holding a thread while the upstream is silent: returns at once, feeds
   * {@code sink} from whichever thread the data arrives on (one call at a time), and fails with the
   * {@link UpstreamException} {@code stream} would throw. Once {@code cancellation} fires, the upstream
   * connection is closed and the future completes with an incomplete end.
   *
   * <p>This default is for protocols read by blocking calls: it runs {@code stream} on a thread of
   * {@code blockingThreads}, which must offer one thread per open stream.
   */
  default CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                                   Cancellation cancellation, Executor blockingThreads) {
    CompletableFuture<StreamEnd> end = new CompletableFuture<>();
    try {
      blockingThreads.execute(() -> {
        try {
          end.complete(stream(endpoint, request, sink, cancellation::isCancelled));
        } catch (Throwable e) { // whatever it is, the caller must hear of it to settle the request
          end.completeExceptionally(e);
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      end.completeExceptionally(shuttingDown);
    }
    return end;
  }
}
