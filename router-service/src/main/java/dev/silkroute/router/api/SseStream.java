package dev.silkroute.router.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.chat.ChunkOut;
import dev.silkroute.router.core.Cancellation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Carries a streamed answer from the threads that produce it to the HTTP response. The response's
 * status is decided as late as possible: the response starts at the first event, or after a bound
 * without one, so a request that fails early still gets a real error status; once committed,
 * {@code : keep-alive} comments flow until the first event, and a later failure travels as a chunk.
 * A client that goes away fires the stream's {@link #cancellation()}.
 *
 * <p>As a {@link ChunkOut} it writes OpenAI's form ({@code data: {chunk}}, then {@code data: [DONE]});
 * other edges write named events ({@code event: message_start}) with {@link #event} and {@link #end}.
 */
public final class SseStream implements ChunkOut {

  private static final byte[] KEEP_ALIVE = ascii(": keep-alive\n\n");
  private static final byte[] EVENT = ascii("event: ");
  private static final byte[] DATA = ascii("data: ");
  private static final byte[] DONE = ascii("data: [DONE]\n\n");
  /** Chunks are written as UTF-8 straight into the frame: no String of each chunk, no second copy. */
  private static final ObjectWriter JSON = new ObjectMapper()
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).writer();

  private final Sinks.Many<byte[]> frames = Sinks.many().unicast().onBackpressureBuffer();
  private final CompletableFuture<Boolean> firstEvent = new CompletableFuture<>();
  private final Sinks.One<Boolean> started = Sinks.one();
  private final Cancellation cancellation = new Cancellation();
  private final Executor cancelOn;
  private final AtomicBoolean ended = new AtomicBoolean();

  // Events held back while the producer knows more are at hand; one thread produces at a time, so unguarded.
  private final ByteArrayBuilder held = new ByteArrayBuilder(512);

  /**
   * @param cancelOn where a client's cancel is handled: not on the event loop that notices it, since
   *                 cancelling settles the request (Redis, Kafka)
   */
  public SseStream(Executor cancelOn) {
    this.cancelOn = cancelOn;
  }

  @Override
  public void chunk(ObjectNode chunk, boolean more) {
    event(null, chunk, more);
  }

  @Override
  public void done() {
    if (!ended.get()) {
      held.write(DONE);
      end();
    }
  }

  /**
   * One event: {@code event: name} (none for a null name), then its data. With {@code more}, held
   * back to go out with the next one, as {@link #chunk(ObjectNode, boolean)}.
   */
  public void event(String name, ObjectNode data, boolean more) {
    if (name != null) {
      held.write(EVENT);
      held.write(name.getBytes(StandardCharsets.UTF_8));
      held.write('\n');
    }
    held.write(DATA);
    try {
      JSON.writeValue(held, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a tree in memory written to memory: cannot happen
    }
    held.write('\n');
    held.write('\n');
    if (!more) {
      emitHeld();
    }
  }

  /** Sends the events held back with {@code more}. */
  public void flush() {
    emitHeld();
  }

  /**
   * Sends what is held and closes the response, without {@code data: [DONE]} (for APIs whose last
   * event says it is over: Anthropic's, OpenAI's Responses); later calls do nothing.
   */
  public void end() {
    if (ended.compareAndSet(false, true)) {
      emitHeld();
      frames.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }
  }

  /** Everything held, as one frame: a burst of events costs one write to the socket. */
  private void emitHeld() {
    firstEvent.complete(Boolean.TRUE);
    started.tryEmitValue(Boolean.TRUE);
    if (held.size() > 0) {
      frames.emitNext(held.toByteArray(), Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
      held.reset();
    }
  }

  /**
   * The producer failed before sending anything. If the response already started (status 200
   * sent with keep-alives), the error goes out as a final chunk instead.
   */
  void failed(RuntimeException error, ObjectNode errorChunk) {
    failed(error, () -> {
      chunk(errorChunk);
      done();
    });
  }

  /**
   * The producer failed before sending anything: the response fails with {@code error}; if it had
   * already started, {@code afterStart} writes the failure into it (and ends it) instead.
   */
  public void failed(RuntimeException error, Runnable afterStart) {
    if (!firstEvent.completeExceptionally(error)) {
      afterStart.run();
    }
  }

  /**
   * The producer failed: true when nothing was sent yet, so the failure becomes the response's
   * status; false when the response already started, and the caller must end the stream its own way.
   */
  public boolean failedBeforeStart(RuntimeException error) {
    return firstEvent.completeExceptionally(error);
  }

  public Cancellation cancellation() {
    return cancellation;
  }

  /**
   * Completes when the response may start with status 200: at the first event ({@code true}), or
   * after {@code bound} without one ({@code false}: keep-alives flow until it comes). Fails with the
   * producer's failure when it failed first. Nothing waits: the bound is a timer.
   */
  public CompletableFuture<Boolean> committed(Duration bound) {
    return firstEvent.completeOnTimeout(Boolean.FALSE, bound.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * As {@link #committed(Duration)}, with the bound's timer on {@code timers} (the request's event
   * loop) and cancelled at the first event: most streams start well within the bound, and a timer
   * left to fire on the JDK's shared delayer thread cost a wake-up of another thread per request.
   */
  public CompletableFuture<Boolean> committed(Duration bound, Executor timers) {
    if (!(timers instanceof ScheduledExecutorService scheduler) || firstEvent.isDone()) {
      return firstEvent.isDone() ? firstEvent : committed(bound);
    }
    ScheduledFuture<?> timer = scheduler.schedule(() -> firstEvent.complete(Boolean.FALSE),
        bound.toMillis(), TimeUnit.MILLISECONDS);
    firstEvent.whenComplete((first, error) -> timer.cancel(false));
    return firstEvent;
  }

  /** The response body: frames, with keep-alive comments while nothing else is flowing yet. */
  public Flux<byte[]> body(Duration keepAliveInterval) {
    if (firstEvent.isDone() && !firstEvent.isCompletedExceptionally() && firstEvent.join()) {
      // Started at its first event (the usual case): no keep-alive timer to set up and tear down.
      return frames.asFlux().doOnCancel(() -> cancelOn.execute(cancellation::cancel));
    }
    Flux<byte[]> keepAlive = Flux.interval(keepAliveInterval)
        .map(tick -> KEEP_ALIVE)
        .takeUntilOther(started.asMono());
    return Flux.merge(frames.asFlux(), keepAlive)
        .doOnCancel(() -> cancelOn.execute(cancellation::cancel));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
