package dev.silkroute.worker.dispatch;

import dev.silkroute.worker.admission.Admission;
import dev.silkroute.worker.admission.Ticket;
import dev.silkroute.worker.engine.Completion;
import dev.silkroute.worker.engine.EmbeddingRequest;
import dev.silkroute.worker.engine.Embeddings;
import dev.silkroute.worker.engine.Engine;
import dev.silkroute.worker.engine.EngineFailure;
import dev.silkroute.worker.engine.Generation;
import dev.silkroute.worker.engine.GenerationRequest;
import dev.silkroute.worker.engine.GenerationSink;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The worker's core: takes requests for the models it serves, puts them through {@link
 * Admission}, starts them on the engine, and accounts for each (queue time, GPU time, cost). It
 * also answers for the worker's load and runs the drain.
 */
public final class Dispatcher {
  /** Priors for the TTFT estimate until real requests have been seen. */
  private static final double INITIAL_PROMPT_TOKENS = 256;
  private static final double INITIAL_KV_TOKENS = 1024;
  private static final double INITIAL_SERVICE_MILLIS = 5_000;
  /** Weight of the newest observation in the running averages. */
  private static final double EWMA_WEIGHT = 0.1;

  private final Engine engine;
  private final Set<String> models;
  private final GpuPrice price;
  private final LongSupplier nanoTime;
  private final DispatchObserver observer;
  private final Admission admission;
  private final TokenRate tokenRate;
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> drained = new CompletableFuture<>();
  private volatile boolean draining;
  // Running averages for the TTFT estimate; written under this, read racily (an estimate).
  private volatile double promptTokensEwma = INITIAL_PROMPT_TOKENS;
  private volatile double kvTokensEwma = INITIAL_KV_TOKENS;
  private volatile double serviceMillisEwma = INITIAL_SERVICE_MILLIS;

  public Dispatcher(Engine engine, Set<String> models, int maxRunning, int maxQueued, GpuPrice price,
      LongSupplier nanoTime, DispatchObserver observer) {
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a worker serves at least one model");
    }
    this.engine = engine;
    this.models = Set.copyOf(models);
    this.price = price;
    this.nanoTime = nanoTime;
    this.observer = observer;
    this.tokenRate = new TokenRate(nanoTime);
    this.admission = new Admission(maxRunning, maxQueued, engine.kvCapacityTokens(), nanoTime, this::changed);
  }

  /** Called on every change of running, queued, KV use or draining: the heartbeat's cue. */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  public Set<String> models() {
    return models;
  }

  public Submission submit(GenerationRequest request, ResponseSink sink) {
    if (!models.contains(request.model())) {
      return reject(request, Submission.Reason.UNKNOWN_MODEL,
          "model " + request.model() + " is not served here; this worker serves " + models.stream().sorted().toList());
    }
    if (draining) {
      return reject(request, Submission.Reason.DRAINING, "worker is draining");
    }
    Run run = new Run(request, sink);
    Admission.Decision decision = admission.offer(request.worstCaseKvTokens(), run::admitted);
    if (decision instanceof Admission.Decision.Rejected rejected) {
      return reject(request, Submission.Reason.OVERLOADED, rejected.reason());
    }
    Ticket ticket = decision instanceof Admission.Decision.Admitted a ? a.ticket() : ((Admission.Decision.Queued) decision).ticket();
    run.ticket = ticket;
    observeRequestSize(request);
    return new Submission.Accepted(run::cancel);
  }

  /** Whether the engine makes embeddings; when not, {@link #embed} is not to be called. */
  public boolean embeds() {
    return engine.embeds();
  }

  /**
   * Embeds through the same admission as generation: one request is one running slot (it holds no
   * KV cache across steps, so it reserves none), queued or turned away like any other.
   * {@code done} gets the vectors or the engine's failure, once, on the engine's thread; not at all
   * when the request was rejected or cancelled.
   */
  public Submission embed(EmbeddingRequest request, BiConsumer<Embeddings, Throwable> done) {
    if (!models.contains(request.model())) {
      return reject(request.model(), Submission.Reason.UNKNOWN_MODEL,
          "model " + request.model() + " is not served here; this worker serves " + models.stream().sorted().toList());
    }
    if (draining) {
      return reject(request.model(), Submission.Reason.DRAINING, "worker is draining");
    }
    AtomicBoolean ended = new AtomicBoolean();
    Admission.Decision decision = admission.offer(0, ticket -> {
      if (ended.get()) {
        return; // cancelled while it waited; its ticket is already released
      }
      long started = nanoTime.getAsLong();
      CompletableFuture<Embeddings> embedded;
      try {
        embedded = engine.embedAsync(request);
      } catch (RuntimeException e) {
        embedded = CompletableFuture.failedFuture(e);
      }
      embedded.whenComplete((vectors, failure) -> {
        if (!ended.compareAndSet(false, true)) {
          return;
        }
        observeServiceTime(nanoTime.getAsLong() - started);
        ticket.release();
        observer.ended(request.model(), failure == null ? "stop" : "error");
        done.accept(vectors, failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      });
    });
    if (decision instanceof Admission.Decision.Rejected rejected) {
      return reject(request.model(), Submission.Reason.OVERLOADED, rejected.reason());
    }
    Ticket ticket = decision instanceof Admission.Decision.Admitted a ? a.ticket() : ((Admission.Decision.Queued) decision).ticket();
    return new Submission.Accepted(() -> {
      if (ended.compareAndSet(false, true)) {
        ticket.release();
        observer.ended(request.model(), "cancelled");
      }
    });
  }

  private Submission reject(String model, Submission.Reason reason, String description) {
    observer.rejected(model, reason);
    return new Submission.Rejected(reason, description);
  }

  private Submission reject(GenerationRequest request, Submission.Reason reason, String description) {
    observer.rejected(request.model(), reason);
    return new Submission.Rejected(reason, description);
  }

  /** Stops admitting; the future completes once nothing runs or waits. */
  public CompletableFuture<Void> drain() {
    draining = true;
    changed();
    return drained;
  }

  public boolean draining() {
    return draining;
  }

  public LoadReport load() {
    Admission.Snapshot s = admission.snapshot();
    long ttft = engine.nominalTtftMillis(Math.round(promptTokensEwma), s.running());
    if (!admission.wouldStartNow(Math.round(kvTokensEwma))) {
      // With R running and each taking S on average, slots free up about every S/R; a newcomer
      // waits for everyone queued ahead of it and then for its own slot.
      ttft += Math.round((s.queued() + 1) * serviceMillisEwma / Math.max(1, s.running()));
    }
    return new LoadReport(s.running(), s.queued(), s.maxRunning(), s.maxQueued(), s.kvCacheUse(),
        tokenRate.perSecond(), ttft, draining, engine.heldPrefixes(LoadReport.MAX_PREFIX_HASHES),
        engine.prefillTokensPerSecond());
  }

  private void changed() {
    if (draining && admission.snapshot().idle()) {
      drained.complete(null);
    }
    changeListeners.forEach(Runnable::run);
  }

  private synchronized void observeRequestSize(GenerationRequest request) {
    promptTokensEwma += EWMA_WEIGHT * (request.estimatedPromptTokens() - promptTokensEwma);
    kvTokensEwma += EWMA_WEIGHT * (request.worstCaseKvTokens() - kvTokensEwma);
  }

  private synchronized void observeServiceTime(long nanos) {
    serviceMillisEwma += EWMA_WEIGHT * (nanos / 1e6 - serviceMillisEwma);
  }

  /** One request from submission to its end; the engine's sink for it. */
  private final class Run implements GenerationSink {
    private final GenerationRequest request;
    private final ResponseSink sink;
    private final long arrivedNanos = nanoTime.getAsLong();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Ticket ticket;
    private volatile Generation generation;
    private volatile long startedNanos;
    private boolean sawFirstToken; // engine thread only

    Run(GenerationRequest request, ResponseSink sink) {
      this.request = request;
      this.sink = sink;
    }

    /** Admission let it in: now, from submit, or later, from whoever freed a slot. */
    void admitted(Ticket admittedTicket) {
      ticket = admittedTicket;
      if (ended.get()) {
        return; // cancelled while it waited; its ticket is already released
      }
      startedNanos = nanoTime.getAsLong();
      generation = engine.start(request, this);
      if (ended.get()) {
        generation.cancel(); // cancelled while starting
      }
    }

    @Override
    public void onTokens(String text, int tokens) {
      if (ended.get()) {
        return;
      }
      if (!sawFirstToken) {
        sawFirstToken = true;
        observer.firstToken(request.model(), nanoTime.getAsLong() - arrivedNanos);
      }
      tokenRate.add(tokens);
      observer.tokens(request.model(), tokens);
      sink.onTokens(text, tokens);
    }

    @Override
    public void onFinish(Completion completion) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      observeServiceTime(nanoTime.getAsLong() - startedNanos);
      ticket.release();
      long gpuMicros = TimeUnit.NANOSECONDS.toMicros(completion.gpuNanos());
      observer.ended(request.model(), completion.finishReason());
      sink.onFinished(new ResponseSink.Finished(completion.finishReason(), completion.promptTokens(),
          completion.completionTokens(), TimeUnit.NANOSECONDS.toMillis(ticket.queueNanos()), gpuMicros,
          price.costMicros(gpuMicros), completion.cachedTokens()));
    }

    @Override
    public void onFailure(EngineFailure failure) {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      ticket.release();
      observer.ended(request.model(), "error");
      sink.onFailed(failure);
    }

    void cancel() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      Generation g = generation;
      if (g != null) {
        g.cancel();
      }
      // submit() sets the ticket before handing out this cancel, so it is never null here.
      ticket.release();
      observer.ended(request.model(), "cancelled");
    }
  }
}
