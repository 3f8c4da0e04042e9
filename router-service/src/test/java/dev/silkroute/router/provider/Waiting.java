package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** Tests' waiting forms of the asynchronous adapter calls: they throw what the future fails with. */
public final class Waiting {

  private Waiting() {
  }

  public static Completion complete(ProviderAdapter adapter, Endpoint endpoint, ChatRequest request)
      throws UpstreamException {
    return await(adapter.completeAsync(endpoint, request, new Cancellation()));
  }

  /**
   * A stream, waited for; {@code cancelled} is read around each chunk (as a client that went away is
   * noticed), and once it is true, the stream is cancelled and no further chunk passed on.
   */
  public static StreamEnd stream(ProviderAdapter adapter, Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                 BooleanSupplier cancelled) throws UpstreamException {
    Cancellation cancellation = new Cancellation();
    ChunkSink watched = new ChunkSink() {
      @Override
      public void chunk(ObjectNode chunk) {
        chunk(chunk, false);
      }

      @Override
      public void chunk(ObjectNode chunk, boolean more) {
        if (cancelled.getAsBoolean()) {
          cancellation.cancel();
          return;
        }
        sink.chunk(chunk, more);
        if (cancelled.getAsBoolean()) {
          cancellation.cancel(); // the client left on this chunk: the next one is not waited for
        }
      }
    };
    return await(adapter.streamAsync(endpoint, request, watched, cancellation));
  }

  private static <T> T await(CompletableFuture<T> call) throws UpstreamException {
    try {
      return call.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UpstreamException upstream) {
        throw upstream;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new IllegalStateException("the adapter's call never ended", e);
    }
  }
}
