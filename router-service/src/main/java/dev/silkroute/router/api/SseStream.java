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

  // Events held back while the producer knows more are at hand; one thread produces, so unguarded.
  private final StringBuilder held = new StringBuilder();

  @Override
  public void data(String json) {
    data(json, false);
  }

  @Override
  public void data(String json, boolean more) {
    held.append("data: ").append(json).append("\n\n");
    if (!more) {
      emitHeld();
    }
  }

  @Override
  public void done() {
    if (ended.compareAndSet(false, true)) {
      held.append("data: [DONE]\n\n");
      emitHeld();
      frames.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
  }

  /** Everything held, as one frame: a burst of events costs one write to the socket. */
  private void emitHeld() {
    firstEvent.complete(Boolean.TRUE);
    started.tryEmitValue(Boolean.TRUE);
    if (held.length() > 0) {
      frames.emitNext(held.toString(), Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
      held.setLength(0);
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
