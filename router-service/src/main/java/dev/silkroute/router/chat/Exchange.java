package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.hedge.HedgePolicy;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.TokenUsage;
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
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted request, from its first attempt to its settlement, streamed or not: tries the plan's
 * endpoints in order until one answers, moving on only while nothing has reached the client and
 * never past a provider's refusal of the request itself ({@link ProviderRejection}); watches each
 * attempt with its first-byte timeout (and a stream with its stall timeout, {@link AttemptWatch});
 * then settles exactly once, whichever way it ended. A streamed and a non-streamed answer differ only
 * in what an attempt's success hands on: chunks to the {@link ChunkOut} as they come, or the
 * upstream's whole answer once.
 *
 * <p>Hedged first token ({@link HedgePolicy}): when the first leg's first token is later than its
 * endpoint's usual (p95) and the hedging budget allows, the next candidate is called too, once per
 * request. Whichever leg streams a token first (not streamed: answers first) serves the request;
 * the other is closed, and its usage is published as the request's hedge loss (generation id
 * {@code <id>-hedge}, no price; the credit is settled for the serving leg alone). A leg that fails
 * before its first token while the other is still in flight just drops out. With hedging off the
 * attempts are exactly as they were.
 *
 * <p>Steps never overlap: each runs on the request's event loop after the one before it ended. Only
 * the first token of a hedged request's legs races on the upstreams' threads; the lock decides it.
 */
final class Exchange {

  private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);

  private final Upstreams upstreams;
  private final Settlement settlement;
  private final Answers answers;
  private final HedgePolicy hedging;
  private final boolean mayHedge;
  private final Plan plan;
  private final ChatRequest request;
  /** The request's record, which the leg that serves it writes; another leg's once a hedge takes it over. */
  private volatile Generation generation;
  private final Admission.Ticket ticket;
  private final List<RouteDecision> routing;
  private final ChunkOut out;
  private final Cancellation cancellation;
  private final Executor eventLoop;
  /** Where the end is handed on: a task queued on the request's executor, never run inline. */
  private final Executor answerOn;
  private final Deadlines.Timers timers;
  private final long created;
  private final ListIterator<Candidate> candidates;
  private final CompletableFuture<ObjectNode> done = new CompletableFuture<>();
  private UpstreamException last;
  private boolean published;
  private boolean settled;
  private boolean hedgeStarted;
  // Guarded by this: the request's leg in flight, the other leg while a hedged request has two, and
  // the leg whose first token came first.
  private Leg primary;
  private Leg hedge;
  private Leg winner;

  /**
   * @param out          where a streamed answer goes; null for a non-streamed one, which the returned
   *                     future of {@link #run()} carries
   * @param withRouting  whether the answer carries the {@code routing} block
   */
  Exchange(Upstreams upstreams, Settlement settlement, Answers answers, HedgePolicy hedging, Plan plan,
           ChatRequest request, Generation generation, Admission.Ticket ticket, boolean withRouting, ChunkOut out,
           Cancellation cancellation, Executor eventLoop, Executor answerOn, Deadlines.Timers timers, long created) {
    this.upstreams = upstreams;
    this.settlement = settlement;
    this.answers = answers;
    this.hedging = hedging;
    this.mayHedge = hedging.enabled() && plan.options().provider().hedge();
    if (mayHedge) {
      hedging.requested(); // the budget is a share of the requests that may be hedged, not of all
    }
    this.plan = plan;
    this.request = request;
    this.generation = generation;
    this.ticket = ticket;
    this.routing = withRouting ? plan.decisions() : null;
    this.out = out;
    this.cancellation = cancellation;
    // Two legs end on their own: where the request's executor is a pool, their steps are queued.
    this.eventLoop = mayHedge ? new SerialExecutor(eventLoop) : eventLoop;
    this.answerOn = answerOn;
    this.timers = timers;
    this.created = created;
    this.candidates = plan.candidates().listIterator();
  }

  /**
   * Runs the request to its end. Completes once its settlement is written: with the whole answer
   * (non-streamed), with null (streamed: the answer went to {@code out}), or with the
   * {@link RouterException} the client should see, which for a stream happens only while nothing
   * was sent.
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
        Generation record = generation;
        record.attempt(next.decision().model(), next.endpoint());
        Leg leg = new Leg(begun.get(), next.decision().model(), next.endpoint(), record, false);
        Duration timeout = prepare(leg);
        synchronized (this) {
          primary = leg;
        }
        call(leg, timeout);
        return;
      }
      finish(new RouterException(Answers.allFailed(last)), null);
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  /**
   * Readies one leg before it is published to the other leg's thread: its watch, and its hedge timer
   * (a first leg's, when a hedge may follow). Returns its first-byte timeout.
   */
  private Duration prepare(Leg leg) {
    Duration timeout = upstreams.deadlines().firstByte(leg.endpoint, leg.model, request, plan.options(),
        !candidates.hasNext());
    leg.attempt.firstByteTimeout(timeout);
    leg.watch = new AttemptWatch(cancellation, timeout, upstreams.deadlines().stall(), upstreams.nanos(),
        () -> timedOut(leg, timeout), eventLoop, timers);
    if (mayHedge && !leg.isHedge && !hedgeStarted && candidates.hasNext()) {
      Duration delay = hedging.delay(upstreams.deadlines().stats(leg.endpoint), out != null);
      if (delay.compareTo(timeout) < 0) { // else the first-byte timeout moves on to the next candidate first
        leg.hedgeTimer = timers.schedule(delay, () -> eventLoop.execute(() -> hedge(leg)));
      }
    }
    return timeout;
  }

  private void call(Leg leg, Duration timeout) {
    if (out == null) {
      callWhole(leg, timeout);
    } else {
      callStream(leg);
    }
  }

  /**
   * {@code slow} has no first token by its hedge delay: the next candidate that takes the request is
   * called too, if the budget allows. Once per request.
   */
  private void hedge(Leg slow) {
    try {
      synchronized (this) {
        if (slow != primary || winner != null || hedge != null) {
          return;
        }
      }
      if (settled || hedgeStarted || !slow.watch.waiting() || cancellation.isCancelled() || !candidates.hasNext()
          || !hedging.tryHedge()) {
        return;
      }
      while (candidates.hasNext()) {
        Candidate next = candidates.next();
        Optional<Attempt> begun = next.decision().begin(next.endpoint());
        if (begun.isEmpty()) {
          continue;
        }
        hedgeStarted = true;
        Generation record = generation.hedgeLeg();
        record.attempt(next.decision().model(), next.endpoint());
        Leg leg = new Leg(begun.get(), next.decision().model(), next.endpoint(), record, true);
        Duration timeout = prepare(leg);
        boolean second;
        synchronized (this) {
          second = winner == null && slow == primary;
          if (second) {
            hedge = leg;
          }
        }
        if (!second) { // the first leg's token came meanwhile
          leg.watch.lose();
          leg.attempt.cancelled();
          hedging.unused();
          return;
        }
        call(leg, timeout);
        return;
      }
      hedging.unused();
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  /**
   * The leg's first token (not streamed: its whole answer) arrived: it serves the request unless
   * another leg's came first. The other leg, if any, is closed. On the leg's upstream thread.
   */
  private boolean claim(Leg leg) {
    Leg loser;
    synchronized (this) {
      if (winner != null) {
        return winner == leg;
      }
      if (leg != primary && leg != hedge) {
        return false; // set aside already
      }
      winner = leg;
      if (hedge == null) {
        loser = null;
      } else {
        promote(leg);
        loser = hedge;
        loser.lost = true;
      }
    }
    leg.cancelHedgeTimer();
    if (loser != null) {
      loser.cancelHedgeTimer();
      loser.watch.lose();
    }
    return true;
  }

  /** Under the lock: {@code leg} becomes the request's leg (its record the request's), the other one its hedge's. */
  private void promote(Leg leg) {
    Leg other = leg == primary ? hedge : primary;
    leg.record.servedOver(other.record, leg.isHedge);
    generation = leg.record;
    primary = leg;
    hedge = other;
  }

  /**
   * Whether the end of {@code leg} concerns that leg alone: it is the leg set aside (it lost, or it
   * is a hedge that failed), or it failed before its first token while the other leg is in flight to
   * serve the request, which then becomes the request's leg.
   */
  private boolean setAside(Leg leg) {
    synchronized (this) {
      if (leg == hedge) {
        if (winner == null) {
          promote(primary);
        }
        hedge = null;
        return true;
      }
      if (leg == primary && hedge != null && winner == null && !cancellation.isCancelled()) {
        promote(hedge);
        hedge = null;
        return true;
      }
      return false;
    }
  }

  /**
   * A leg set aside ended: its attempt is recorded and its usage published as the request's hedge
   * loss, which the customer does not pay for. A first leg that lost to its hedge counts against its
   * endpoint as a first-byte timeout does: it sent nothing by its own p95 and then not before a
   * competitor that started after it. Without that verdict a provider that stalls outright would never
   * have its circuit opened, only be hedged for as long as the budget lasts; a rare late token (what
   * the budget lets through) stays far below the breaker's failure rate. A hedge that lost was only
   * second: cancelled, no verdict.
   */
  private void asideEnded(Leg leg, TokenUsage usage, Throwable error) {
    Throwable cause = error == null ? null : unwrap(error);
    UsageStatus status;
    if (cancellation.isCancelled() || (leg.lost && leg.isHedge)) {
      leg.attempt.cancelled();
      status = UsageStatus.USAGE_STATUS_CANCELLED;
    } else if (leg.lost) {
      leg.attempt.failed(Deadlines.beatenByHedge(leg.endpoint));
      status = UsageStatus.USAGE_STATUS_CANCELLED;
    } else if (cause instanceof UpstreamException e) {
      leg.attempt.failed(e, e.retryAfter().orElse(null));
      last = e;
      status = UsageStatus.USAGE_STATUS_ERROR;
    } else {
      leg.attempt.end(Outcome.PROVIDER_ERROR, 0, usage.completionTokens(), null);
      status = UsageStatus.USAGE_STATUS_ERROR;
    }
    leg.record.endAside(status, usage, request.body());
    settlement.publish(leg.record);
  }

  private void callWhole(Leg leg, Duration timeout) {
    // The watch's cancellation (fired at the first-byte timeout) aborts the exchange with the upstream.
    CompletableFuture<Completion> call = upstreams.adapter(leg.endpoint).completeAsync(leg.endpoint, request,
        leg.watch.upstream());
    // Failing the call's future aborts the exchange with the upstream: at its first-byte timeout, or
    // when the client went away, or when the other leg of a hedged request answered first.
    leg.watch.upstream().onCancel(() -> call.completeExceptionally(cancellation.isCancelled()
        ? new CancellationException("the client went away")
        : leg.lost ? new CancellationException("the other leg answered first") : Deadlines.timedOut(leg.endpoint,
            timeout)));
    call.whenCompleteAsync((completion, error) -> {
      if (error == null ? !leg.watch.whole() : !leg.watch.end()) {
        return; // given up at its first-byte timeout: the request has moved on
      }
      try {
        leg.cancelHedgeTimer();
        if (error == null && claim(leg)) {
          answered(leg, completion);
        } else if (setAside(leg)) {
          asideEnded(leg, error == null ? completion.usage() : TokenUsage.NONE, error);
        } else if (cancellation.isCancelled()) {
          clientLeft(leg);
        } else {
          failed(leg, error);
        }
      } catch (RuntimeException e) {
        finish(e, null);
      }
    }, eventLoop);
  }

  private void answered(Leg leg, Completion completion) {
    Generation record = leg.record;
    leg.attempt.firstToken();
    record.firstToken(upstreams.nanos().getAsLong());
    record.finish(UsageStatus.USAGE_STATUS_OK, completion.usage(), FinishReason.normalise(completion.finishReason()));
    leg.attempt.succeeded(completion.usage().completionTokens());
    finish(null, answers.whole(completion.body(), record, routing));
  }

  private void callStream(Leg leg) {
    AttemptSink sink = new AttemptSink(leg);
    upstreams.adapter(leg.endpoint).streamAsync(leg.endpoint, request, sink, leg.watch.upstream())
        // On the request's event loop, not on the thread that read the stream's end (the upstream
        // client's, which serves every stream).
        .whenCompleteAsync((end, error) -> {
          if (leg.watch.end()) {
            ended(leg, sink, end, error);
          }
        }, eventLoop);
  }

  /** No answer within the attempt's first-byte timeout: the endpoint counts as failed, the next is tried. */
  private void timedOut(Leg leg, Duration timeout) {
    try {
      leg.cancelHedgeTimer();
      if (setAside(leg)) {
        asideEnded(leg, TokenUsage.NONE, Deadlines.timedOut(leg.endpoint, timeout));
        return;
      }
      if (cancellation.isCancelled()) { // the client left first: nobody waits for another endpoint
        clientLeft(leg);
        return;
      }
      UpstreamException e = Deadlines.timedOut(leg.endpoint, timeout);
      leg.attempt.failed(e);
      last = e;
      tryNext();
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  /** The client went away before an answer: nobody waits for another endpoint; billed as cancelled. */
  private void clientLeft(Leg leg) {
    synchronized (this) {
      if (hedge != null && winner == null) {
        promote(leg); // the other leg is set aside as it ends
      }
    }
    Generation record = leg.record;
    record.finish(UsageStatus.USAGE_STATUS_CANCELLED, record.usage(), null);
    record.estimateUsageIfMissing(request.body());
    leg.attempt.cancelled();
    finish(out == null ? new CancellationException("the client went away") : null, null);
  }

  private void ended(Leg leg, AttemptSink sink, StreamEnd end, Throwable error) {
    try {
      leg.cancelHedgeTimer();
      if (setAside(leg)) {
        asideEnded(leg, end == null ? TokenUsage.NONE : end.usage(), error);
      } else if (error != null) {
        failed(leg, error);
      } else if (leg.watch.stalled()) {
        stalled(leg, end);
      } else {
        if (end.complete() && !leg.record.started()) {
          sink.flushOpening(); // a whole answer without output: the client still gets its opening
        }
        streamEnded(leg, end);
      }
    } catch (RuntimeException e) {
      finish(e, null);
    }
  }

  private void streamEnded(Leg leg, StreamEnd end) {
    Attempt attempt = leg.attempt;
    Endpoint endpoint = leg.endpoint;
    Generation record = leg.record;
    if (cancellation.isCancelled()) {
      record.finish(UsageStatus.USAGE_STATUS_CANCELLED, end.usage(), FinishReason.normalise(end.finishReason()));
      record.estimateUsageIfMissing(request.body());
      attempt.cancelled();
      finish(null, null);
      return;
    }
    if (!end.complete() && !record.started()) {
      // Cut before anything reached the client: as good as a refusal, so the next endpoint may try.
      attempt.end(Outcome.PROVIDER_ERROR, 0, 0, null);
      last = new UpstreamException(endpoint.provider(), 0, "provider's stream ended before its first token",
          null, null);
      tryNext();
      return;
    }
    if (!end.complete()) {
      record.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
      record.estimateUsageIfMissing(request.body());
      attempt.end(Outcome.PROVIDER_ERROR, 0, end.usage().completionTokens(), null);
      out.chunk(answers.errorChunk(record, created, endpoint, "provider's stream ended before it finished"));
    } else {
      record.finish(UsageStatus.USAGE_STATUS_OK, end.usage(), FinishReason.normalise(end.finishReason()));
      attempt.succeeded(end.usage().completionTokens());
    }
    closeStream();
  }

  /**
   * The stream went silent past the stall timeout after it started: it ends with the error chunk,
   * what was generated is billed, and it counts against the endpoint.
   */
  private void stalled(Leg leg, StreamEnd end) {
    Attempt attempt = leg.attempt;
    Endpoint endpoint = leg.endpoint;
    AttemptWatch watch = leg.watch;
    Generation record = leg.record;
    record.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
    record.estimateUsageIfMissing(request.body());
    attempt.stalled(end.usage().completionTokens());
    out.chunk(answers.errorChunk(record, created, endpoint, "provider's stream stalled: no token for "
        + watch.stallTimeout().toMillis() + " ms"));
    closeStream();
  }

  /**
   * The attempt failed. Before anything reached the client the next endpoint is tried, unless the
   * provider refused the request itself; after, the failure travels in the stream.
   */
  private void failed(Leg leg, Throwable error) {
    Attempt attempt = leg.attempt;
    Endpoint endpoint = leg.endpoint;
    Generation record = leg.record;
    Throwable cause = unwrap(error);
    if (!(cause instanceof UpstreamException e)) {
      finish(cause, null);
      return;
    }
    attempt.failed(e, e.retryAfter().orElse(null));
    last = e;
    if (!record.started()) {
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
    record.finish(status, record.usage(), "error");
    record.estimateUsageIfMissing(request.body());
    out.chunk(answers.errorChunk(record, created, endpoint, e.getMessage()));
    closeStream();
  }

  /** Every stream ends with the usage chunk (with the routing block when asked for) and {@code [DONE]}. */
  private void closeStream() {
    publish(); // before the last byte: once the client has its answer, a crash cannot lose the event
    out.chunk(answers.usageChunk(generation, created, routing));
    out.done();
    finish(null, null);
  }

  /**
   * Settles the request (once) and ends it: with {@code answer}, or failed with {@code error}. The
   * end does not wait for Redis's reply to the settlement, only for the settlement to be written:
   * the answer is handed on in a task queued behind this one, and the loop-local Redis connection
   * writes what this task sent when it ends ({@code boot.LoopLocalRedis}), so the settlement reaches
   * Redis before the client has its answer and the client's next request sees the balance this one
   * left. A settlement that fails is retried by its ticket, and billing settles it again from the
   * usage event (settling is idempotent); the client, whose answer was generated and billed, still
   * gets it, as a stream's client always did.
   */
  private void finish(Throwable error, ObjectNode answer) {
    if (settled) {
      return;
    }
    settled = true;
    Throwable outcome = error;
    try {
      publish();
    } catch (RuntimeException e) {
      outcome = e; // not served unbilled
    }
    Generation record = generation;
    settlement.settleAsync(record, ticket).whenComplete((ignored, settleFailure) -> {
      if (settleFailure != null) {
        LOG.warn("Settling {} failed; retrying", record.id(), unwrap(settleFailure));
      }
    });
    Throwable endedWith = outcome;
    answerOn.execute(() -> {
      if (endedWith != null) {
        done.completeExceptionally(unwrap(endedWith));
      } else {
        done.complete(answer);
      }
    });
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

    private final Leg leg;
    private final List<ObjectNode> opening = new ArrayList<>(1);

    AttemptSink(Leg leg) {
      this.leg = leg;
    }

    @Override
    public void chunk(ObjectNode chunk) {
      chunk(chunk, false);
    }

    @Override
    public void chunk(ObjectNode chunk, boolean more) {
      if (!leg.record.started() && !Chunks.carriesOutput(chunk)) {
        opening.add(chunk);
        return;
      }
      if (!leg.watch.chunk()) {
        return; // given up at its first-byte timeout, or the other leg won: the request has moved on
      }
      if (!leg.record.started()) {
        if (!claim(leg)) {
          return; // the other leg's first token came first; this one is being closed
        }
        leg.attempt.firstToken();
        leg.record.firstToken(upstreams.nanos().getAsLong());
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
      leg.record.streamed(chunk);
      Answers.ours(chunk, leg.record);
      out.chunk(chunk, more);
    }
  }

  /**
   * One call of one endpoint for the request: the first leg, a fallback after it, or the hedge.
   * {@code record} is the request's record, or the hedge's own until it serves the request.
   */
  private static final class Leg {

    final Attempt attempt;
    final Model model;
    final Endpoint endpoint;
    final Generation record;
    final boolean isHedge;
    AttemptWatch watch;
    volatile ScheduledFuture<?> hedgeTimer;
    /** Set under the exchange's lock before the leg is closed: the other leg's first token came first. */
    volatile boolean lost;

    Leg(Attempt attempt, Model model, Endpoint endpoint, Generation record, boolean isHedge) {
      this.attempt = attempt;
      this.model = model;
      this.endpoint = endpoint;
      this.record = record;
      this.isHedge = isHedge;
    }

    void cancelHedgeTimer() {
      ScheduledFuture<?> timer = hedgeTimer;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }
}
