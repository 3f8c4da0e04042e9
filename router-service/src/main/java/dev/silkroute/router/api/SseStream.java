package dev.silkroute.router.api;

import dev.silkroute.router.chat.SseOut;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Carries a streamed answer from the thread that produces it to the HTTP response. The response's
 * status is decided as late as possible: the controller waits up to a bound for the first event, so
 * a request that fails early still gets a real error status; once committed, {@code : keep-alive}
 * comments flow until the first event, and a later failure travels as a chunk.
 */
final class SseStream implements SseOut {

  private static final String KEEP_ALIVE = ": keep-alive\n\n";

  private final Sinks.Many<String> frames = Sinks.many().unicast().onBackpressureBuffer();
  private final CompletableFuture<Boolean> firstEvent = new CompletableFuture<>();
  private final Sinks.One<Boolean> started = Sinks.one();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();

  @Override
  public void data(String json) {
    firstEvent.complete(Boolean.TRUE);
    started.tryEmitValue(Boolean.TRUE);
    frames.emitNext("data: " + json + "\n\n", Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
  }

  @Override
  public void done() {
    firstEvent.complete(Boolean.TRUE);
    started.tryEmitValue(Boolean.TRUE);
    if (ended.compareAndSet(false, true)) {
      frames.emitNext("data: [DONE]\n\n", Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
      frames.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
  }

  /**
   * The producer failed before sending anything. If the response already started (status 200
   * sent with keep-alives), the error goes out as a final chunk instead.
   */
  void failed(RuntimeException error, String errorChunkJson) {
    if (!firstEvent.completeExceptionally(error)) {
      data(errorChunkJson);
      done();
    }
  }

  boolean cancelled() {
    return cancelled.get();
  }

  /**
   * Waits up to {@code bound} for the first event. Returns normally when the response may start
   * with status 200; rethrows the producer's failure when it failed first.
   */
  void awaitCommit(Duration bound) throws InterruptedException {
    try {
      firstEvent.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      firstEvent.complete(Boolean.FALSE); // committed before the first token: keep-alives start
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** The response body: frames, with keep-alive comments while nothing else is flowing yet. */
  Flux<String> body(Duration keepAliveInterval) {
    Flux<String> keepAlive = Flux.interval(keepAliveInterval)
        .map(tick -> KEEP_ALIVE)
        .takeUntilOther(started.asMono());
    return Flux.merge(frames.asFlux(), keepAlive)
        .doOnCancel(() -> cancelled.set(true));
  }
}
