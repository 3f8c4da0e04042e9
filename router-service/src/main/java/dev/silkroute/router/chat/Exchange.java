package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.Attempt;
import dev.silkroute.router.routing.Outcome;
import dev.silkroute.router.chat.Plan.Candidate;
import dev.silkroute.router.routing.RouteDecision;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One admitted request, from its first attempt to its settlement, streamed or not: tries the plan's
 * endpoints in order until one answers, moving on only while nothing has reached the client and
 * never past a provider's refusal of the request itself ({@link ProviderRejection}); watches each
 * attempt with its first-byte timeout (and a stream with its stall timeout, {@link AttemptWatch});
 * then settles exactly once, whichever way it ended. A streamed and a non-streamed answer differ only
 * in what an attempt's success hands on: chunks to the {@link ChunkOut} as they come, or the
 * upstream's whole answer once.
 *
 * <p>Steps never overlap: each runs on the request's event loop after the one before it ended.
 */
final class Exchange {

  private final Upstreams upstreams;
  private final Settlement settlement;
  private final Answers answers;
  private final Plan plan;
  private final ChatRequest request;
  private final Generation generation;
  private final Admission.Ticket ticket;
  private final List<RouteDecision> routing;
  private final ChunkOut out;
  private final Cancellation cancellation;
  private final Executor eventLoop;
  private final long created;
  private final ListIterator<Candidate> candidates;
  private final CompletableFuture<ObjectNode> done = new CompletableFuture<>();
  private UpstreamException last;
  private boolean published;
  private boolean settled;

  /**
   * @param out          where a streamed answer goes; null for a non-streamed one, which the returned
   *                     future of {@link #run()} carries
   * @param withRouting  whether the answer carries the {@code routing} block
   */
  Exchange(Upstreams upstreams, Settlement settlement, Answers answers, Plan plan, ChatRequest request,
           Generation generation, Admission.Ticket ticket, boolean withRouting, ChunkOut out,
           Cancellation cancellation, Executor eventLoop, long created) {
    this.upstreams = upstreams;
    this.settlement = settlement;
    this.answers = answers;
    this.plan = plan;
    this.request = request;
    this.generation = generation;
    this.ticket = ticket;
    this.routing = withRouting ? plan.decisions() : null;
    this.out = out;
    this.cancellation = cancellation;
    this.eventLoop = eventLoop;
    this.created = created;
    this.candidates = plan.candidates().listIterator();
  }

  /**
   * Runs the request to its end. Completes once it is settled: with the whole answer (non-streamed),
   * with null (streamed: the answer went to {@code out}), or with the {@link RouterException} the client
   * should see, which for a stream happens only while nothing was sent.
   */
  CompletableFuture<ObjectNode> run() {
    tryNext();
    return done;
  }

  /** Calls the next endpoint that takes the request; fails when none is left. */
  private void tryNext() {
    try {
      while (candidates.hasNext()) {
        Candidate next = candidates.next();
        Optional<Attempt> begun = next.decision().begin(next.endpoint());
        if (begun.isEmpty()) {
          continue;
        }
        Attempt attempt = begun.get();
        Model model = next.decision().model();
        Endpoint endpoint = next.endpoint();
        generation.attempt(model, endpoint);
        Duration timeout = upstreams.deadlines().firstByte(endpoint, model, request, plan.options(),
            !candidates.hasNext());
        attempt.firstByteTimeout(timeout);
        AttemptWatch watch = new AttemptWatch(cancellation, timeout, upstreams.deadlines().stall(),
            upstreams.nanos(), () -> timedOut(attempt, endpoint, timeout), eventLoop);
        if (out == null) {
          callWhole(attempt, endpoint, watch, timeout);
        } else {
          callStream(attempt, model, endpoint, watch);
        }
        return;
      }
      finish(new RouterException(Answers.allFailed(last)), null);
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  private void callWhole(Attempt attempt, Endpoint endpoint, AttemptWatch watch, Duration timeout) {
    // The watch's cancellation (fired at the first-byte timeout) aborts the exchange with the upstream.
    CompletableFuture<Completion> call = upstreams.adapter(endpoint).completeAsync(endpoint, request,
        watch.upstream());
    // Failing the call's future aborts the exchange with the upstream: at its first-byte timeout, or
    // when the client went away.
    watch.upstream().onCancel(() -> call.completeExceptionally(cancellation.isCancelled()
        ? new CancellationException("the client went away") : Deadlines.timedOut(endpoint, timeout)));
    call.whenCompleteAsync((completion, error) -> {
      if (error == null ? !watch.whole() : !watch.end()) {
        return; // given up at its first-byte timeout: the request has moved on
      }
      try {
        if (error == null) {
          answered(attempt, completion);
        } else if (cancellation.isCancelled()) {
          clientLeft(attempt);
        } else {
          failed(attempt, endpoint, error);
        }
      } catch (RuntimeException e) {
        finish(e, null);
      }
    }, eventLoop);
  }

  private void answered(Attempt attempt, Completion completion) {
    attempt.firstToken();
    generation.firstToken(upstreams.nanos().getAsLong());
    generation.finish(UsageStatus.USAGE_STATUS_OK, completion.usage(),
        FinishReason.normalise(completion.finishReason()));
    attempt.succeeded(completion.usage().completionTokens());
    finish(null, answers.whole(completion.body(), generation, routing));
  }

  private void callStream(Attempt attempt, Model model, Endpoint endpoint, AttemptWatch watch) {
    AttemptSink sink = new AttemptSink(attempt, watch);
    upstreams.adapter(endpoint).streamAsync(endpoint, request, sink, watch.upstream())
        // On the request's event loop, not on the thread that read the stream's end (the upstream
        // client's, which serves every stream).
        .whenCompleteAsync((end, error) -> {
          if (watch.end()) {
            ended(attempt, endpoint, watch, sink, end, error);
          }
        }, eventLoop);
  }

  /** No answer within the attempt's first-byte timeout: the endpoint counts as failed, the next is tried. */
  private void timedOut(Attempt attempt, Endpoint endpoint, Duration timeout) {
    try {
      if (cancellation.isCancelled()) { // the client left first: nobody waits for another endpoint
        clientLeft(attempt);
        return;
      }
      UpstreamException e = Deadlines.timedOut(endpoint, timeout);
      attempt.failed(e);
      last = e;
      tryNext();
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  /** The client went away before an answer: nobody waits for another endpoint; billed as cancelled. */
  private void clientLeft(Attempt attempt) {
    generation.finish(UsageStatus.USAGE_STATUS_CANCELLED, generation.usage(), null);
    generation.estimateUsageIfMissing(request.body());
    attempt.cancelled();
    finish(out == null ? new CancellationException("the client went away") : null, null);
  }

  private void ended(Attempt attempt, Endpoint endpoint, AttemptWatch watch, AttemptSink sink, StreamEnd end,
                     Throwable error) {
    try {
      if (error != null) {
        failed(attempt, endpoint, error);
      } else if (watch.stalled()) {
        stalled(attempt, endpoint, watch, end);
      } else {
        if (end.complete() && !generation.started()) {
          sink.flushOpening(); // a whole answer without output: the client still gets its opening
        }
        streamEnded(attempt, endpoint, end);
      }
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  private void streamEnded(Attempt attempt, Endpoint endpoint, StreamEnd end) {
    if (cancellation.isCancelled()) {
      generation.finish(UsageStatus.USAGE_STATUS_CANCELLED, end.usage(), FinishReason.normalise(end.finishReason()));
      generation.estimateUsageIfMissing(request.body());
      attempt.cancelled();
      finish(null, null);
      return;
    }
    if (!end.complete() && !generation.started()) {
      // Cut before anything reached the client: as good as a refusal, so the next endpoint may try.
      attempt.end(Outcome.PROVIDER_ERROR, 0, 0, null);
      last = new UpstreamException(endpoint.provider(), 0, "provider's stream ended before its first token",
          null, null);
      tryNext();
      return;
    }
    if (!end.complete()) {
      generation.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
      generation.estimateUsageIfMissing(request.body());
      attempt.end(Outcome.PROVIDER_ERROR, 0, end.usage().completionTokens(), null);
      out.chunk(answers.errorChunk(generation, created, endpoint, "provider's stream ended before it finished"));
    } else {
      generation.finish(UsageStatus.USAGE_STATUS_OK, end.usage(), FinishReason.normalise(end.finishReason()));
      attempt.succeeded(end.usage().completionTokens());
    }
    closeStream();
  }

  /**
   * The stream went silent past the stall timeout after it started: it ends with the error chunk,
   * what was generated is billed, and it counts against the endpoint.
   */
  private void stalled(Attempt attempt, Endpoint endpoint, AttemptWatch watch, StreamEnd end) {
    generation.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
    generation.estimateUsageIfMissing(request.body());
    attempt.stalled(end.usage().completionTokens());
    out.chunk(answers.errorChunk(generation, created, endpoint, "provider's stream stalled: no token for "
        + watch.stallTimeout().toMillis() + " ms"));
    closeStream();
  }

  /**
   * The attempt failed. Before anything reached the client the next endpoint is tried, unless the
   * provider refused the request itself; after, the failure travels in the stream.
   */
  private void failed(Attempt attempt, Endpoint endpoint, Throwable error) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof UpstreamException e)) {
      finish(cause, null);
      return;
    }
    attempt.failed(e, e.retryAfter().orElse(null));
    last = e;
    if (!generation.started()) {
      Optional<RouterError> rejected = ProviderRejection.of(e, upstreams.json());
      if (rejected.isPresent()) {
        finish(new RouterException(rejected.get()), null);
      } else {
        tryNext();
      }
      return;
    }
    // A connection that broke is a truncated generation; an error the provider sent is an error.
    UsageStatus status = e.getCause() instanceof IOException
        ? UsageStatus.USAGE_STATUS_TRUNCATED : UsageStatus.USAGE_STATUS_ERROR;
    generation.finish(status, generation.usage(), "error");
    generation.estimateUsageIfMissing(request.body());
    out.chunk(answers.errorChunk(generation, created, endpoint, e.getMessage()));
    closeStream();
  }

  /** Every stream ends with the usage chunk (with the routing block when asked for) and {@code [DONE]}. */
  private void closeStream() {
    publish(); // before the last byte: once the client has its answer, a crash cannot lose the event
    out.chunk(answers.usageChunk(generation, created, routing));
    out.done();
    finish(null, null);
  }

  /** Settles the request (once), then ends it: with {@code answer}, or failed with {@code error}. */
  private void finish(Throwable error, ObjectNode answer) {
    if (settled) {
      return;
    }
    settled = true;
    CompletableFuture<Void> settling;
    try {
      publish();
      settling = settlement.settleAsync(generation, ticket);
    } catch (RuntimeException e) {
      settling = CompletableFuture.failedFuture(e);
    }
    settling.whenCompleteAsync((ignored, settleFailure) -> {
      // A failure to settle wins over the outcome, as an exception thrown in a finally block does.
      if (settleFailure != null) {
        done.completeExceptionally(unwrap(settleFailure));
      } else if (error != null) {
        done.completeExceptionally(unwrap(error));
      } else {
        done.complete(answer);
      }
    }, eventLoop);
  }

  /** The usage event, once. */
  private void publish() {
    if (!published) {
      published = true;
      settlement.publish(generation);
    }
  }

  static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

  /**
   * Passes one streamed attempt's chunks to the client. The chunks that open a stream without output
   * (the assistant's role and an empty content, sent at once by most providers) are held back until
   * the first token: until then nothing has reached the client, so a stream cut or silent before its
   * first token can still move on to the next endpoint, and the first-byte timeout runs to the first
   * token, not to the role.
   */
  private final class AttemptSink implements ChunkSink {

    private final Attempt attempt;
    private final AttemptWatch watch;
    private final List<ObjectNode> opening = new ArrayList<>(1);

    AttemptSink(Attempt attempt, AttemptWatch watch) {
      this.attempt = attempt;
      this.watch = watch;
    }

    @Override
    public void chunk(ObjectNode chunk) {
      chunk(chunk, false);
    }

    @Override
    public void chunk(ObjectNode chunk, boolean more) {
      if (!generation.started() && !Chunks.carriesOutput(chunk)) {
        opening.add(chunk);
        return;
      }
      if (!watch.chunk()) {
        return; // given up at its first-byte timeout: the request has moved on
      }
      if (!generation.started()) {
        attempt.firstToken();
        generation.firstToken(upstreams.nanos().getAsLong());
        flushOpening();
      }
      send(chunk, more);
    }

    /** The held opening chunks, once output follows or the stream ended complete without any. */
    void flushOpening() {
      for (ObjectNode held : opening) {
        send(held, true);
      }
      opening.clear();
    }

    private void send(ObjectNode chunk, boolean more) {
      generation.streamed(chunk);
      Answers.ours(chunk, generation);
      out.chunk(chunk, more);
    }
  }
}
