package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Speaks one upstream wire protocol; everything it returns is in OpenAI's chat shape. Asynchronous
 * only: a call returns at once, never blocks the calling thread (often an I/O event loop), and holds
 * no thread while the upstream works. Its future completes, and its sink is fed, on the thread the
 * answer arrives on (for HTTP dialects, the transport's event loop of the calling thread).
 */
public interface ProviderAdapter {

  /**
   * A non-streamed answer. Fails with an {@link UpstreamException} when the upstream refused, broke
   * or could not be reached. Once {@code cancellation} fires, or the returned future is completed
   * from outside (a deadline), the upstream exchange is abandoned.
   */
  CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request, Cancellation cancellation);

  /**
   * Streams a generation into {@code sink}, one call at a time. Fails with an
   * {@link UpstreamException} as {@link #completeAsync} does; once {@code cancellation} fires, the
   * upstream exchange is abandoned and the future completes with an incomplete end.
   */
  CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                           Cancellation cancellation);
}
