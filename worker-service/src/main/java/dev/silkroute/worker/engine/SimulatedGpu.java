package dev.silkroute.worker.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code simulated} engine: one GPU doing continuous batching, as a step machine with no
 * clock of its own. Each step is either a prefill of every newly arrived sequence (which yields
 * their first token; decoding waits meanwhile, as in vLLM without chunked prefill) or one decode
 * step of the whole batch (one token each), whose duration grows with the batch per {@link
 * GpuProfile}. A step's GPU time is apportioned to the sequences in it: by prompt tokens for a
 * prefill, equally for a decode step.
 *
 * <p>{@link RealTimeGpuLoop} runs the steps in real time; tests call {@link #runStep()} and move
 * their own clock by the duration it returns.
 */
public final class SimulatedGpu implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedGpu.class);

  private final GpuProfile profile;
  private final Object lock = new Object();
  private final List<Sequence> batch = new ArrayList<>(); // guarded by lock, in arrival order

  public SimulatedGpu(GpuProfile profile) {
    this.profile = profile;
  }

  public GpuProfile profile() {
    return profile;
  }

  @Override
  public Generation start(GenerationRequest request, GenerationSink sink) {
    Sequence sequence = new Sequence(request, sink);
    synchronized (lock) {
      batch.add(sequence);
      lock.notifyAll();
    }
    return sequence::cancel;
  }

  /** Deterministic unit vectors (see {@link EmbeddingVectors}); no GPU time is simulated for them. */
  @Override
  public boolean embeds() {
    return true;
  }

  @Override
  public java.util.concurrent.CompletableFuture<Embeddings> embedAsync(EmbeddingRequest request) {
    int dimensions = request.dimensions().orElse(EmbeddingVectors.dimensions(request.model()));
    List<float[]> vectors = new ArrayList<>(request.inputs().size());
    request.inputs().forEach(text -> vectors.add(EmbeddingVectors.of(request.model(), text, dimensions)));
    return java.util.concurrent.CompletableFuture.completedFuture(
        new Embeddings(vectors, request.estimatedPromptTokens()));
  }

  /** Sequences in the batch (including ones still waiting for prefill). */
  public int batchSize() {
    synchronized (lock) {
      return batch.size();
    }
  }

  /** Plans the next step over the current batch, or null when there is nothing to do. */
  public Step nextStep() {
    synchronized (lock) {
      batch.removeIf(s -> s.cancelled);
      if (batch.isEmpty()) {
        return null;
      }
      List<Sequence> arrivals = batch.stream().filter(s -> !s.prefilled).toList();
      if (!arrivals.isEmpty()) {
        long promptTokens = arrivals.stream().mapToLong(s -> s.promptTokens).sum();
        return new Step(arrivals, profile.prefillNanos(promptTokens), true);
      }
      // Admission keeps the batch within maxBatch; were it larger, the overflow waits a step.
      List<Sequence> decoding = List.copyOf(batch.subList(0, Math.min(batch.size(), profile.maxBatch())));
      return new Step(decoding, profile.decodeStepNanos(decoding.size()), false);
    }
  }

  /** Plans and completes one step at once; returns its duration in nanoseconds, 0 when idle. */
  public long runStep() {
    Step step = nextStep();
    if (step == null) {
      return 0;
    }
    step.complete();
    return step.durationNanos();
  }

  /** Blocks until the batch is not empty or the timeout passes. */
  void awaitWork(long timeout, TimeUnit unit) throws InterruptedException {
    synchronized (lock) {
      if (batch.isEmpty()) {
        TimeUnit.MILLISECONDS.timedWait(lock, Math.max(1, unit.toMillis(timeout)));
      }
    }
  }

  @Override
  public long kvCapacityTokens() {
    return profile.kvCacheTokens();
  }

  /** Prefill of the new prompt, after half a decode step of the running batch on average. */
  @Override
  public long nominalTtftMillis(long promptTokens, int running) {
    long nanos = profile.prefillNanos(promptTokens) + (running == 0 ? 0 : profile.decodeStepNanos(running) / 2);
    return TimeUnit.NANOSECONDS.toMillis(nanos + 999_999);
  }

  @Override
  public void close() {
    synchronized (lock) {
      batch.forEach(Sequence::cancel);
      batch.clear();
      lock.notifyAll();
    }
  }

  /** One planned step. {@link #complete()} applies it: GPU time, tokens, finished sequences. */
  public final class Step {
    private final List<Sequence> sequences;
    private final long durationNanos;
    private final boolean prefill;

    private Step(List<Sequence> sequences, long durationNanos, boolean prefill) {
      this.sequences = sequences;
      this.durationNanos = durationNanos;
      this.prefill = prefill;
    }

    public long durationNanos() {
      return durationNanos;
    }

    public boolean prefill() {
      return prefill;
    }

    public int size() {
      return sequences.size();
    }

    public void complete() {
      long[] shares = shares();
      List<Sequence> finished = new ArrayList<>();
      for (int i = 0; i < sequences.size(); i++) {
        Sequence s = sequences.get(i);
        if (s.cancelled) {
          continue;
        }
        s.gpuNanos += shares[i];
        s.prefilled = true;
        try {
          if (s.emitToken()) {
            finished.add(s);
          }
        } catch (RuntimeException e) {
          // A sink that throws must not stop the GPU for everyone else: drop that sequence only.
          LOG.warn("dropping sequence {}: its sink failed", s.request.requestId(), e);
          s.cancel();
        }
      }
      if (!finished.isEmpty()) {
        synchronized (lock) {
          batch.removeAll(finished);
        }
      }
    }

    /** GPU time per sequence; sums exactly to the step's duration. */
    private long[] shares() {
      int n = sequences.size();
      long[] shares = new long[n];
      if (prefill) {
        long total = sequences.stream().mapToLong(s -> s.promptTokens).sum();
        long given = 0;
        for (int i = 0; i < n - 1; i++) {
          shares[i] = Math.round((double) durationNanos * sequences.get(i).promptTokens / total);
          given += shares[i];
        }
        shares[n - 1] = durationNanos - given;
      } else {
        for (int i = 0; i < n; i++) {
          shares[i] = durationNanos / n + (i < durationNanos % n ? 1 : 0);
        }
      }
      return shares;
    }
  }

  private static final class Sequence {
    final GenerationRequest request;
    final GenerationSink sink;
    final DeterministicText text;
    final long promptTokens;
    // Written by the stepping thread only; cancelled by any thread.
    boolean prefilled;
    int generated;
    long gpuNanos;
    final StringBuilder pending = new StringBuilder();
    int pendingTokens;
    volatile boolean cancelled;

    Sequence(GenerationRequest request, GenerationSink sink) {
      this.request = request;
      this.sink = sink;
      this.text = new DeterministicText(request);
      this.promptTokens = request.estimatedPromptTokens();
    }

    /**
     * Generates one token; true when that ended the sequence. Text that may be the start of a stop
     * sequence is held back until the next tokens show it is not; a stop sequence ends the sequence
     * with STOP and is not sent (as OpenAI does), though its tokens count as generated.
     */
    boolean emitToken() {
      generated++;
      pending.append(text.next(generated == 1));
      pendingTokens++;
      int stopAt = stopIndex();
      String finish = stopAt >= 0 || generated >= text.naturalLength()
          ? Completion.STOP
          : generated >= request.maxTokens() ? Completion.LENGTH : null;
      if (finish == null) {
        flush(pending.length() - heldBack());
        return false;
      }
      flush(stopAt >= 0 ? stopAt : pending.length());
      sink.onFinish(new Completion(finish, promptTokens, generated, gpuNanos));
      return true;
    }

    /** Sends the first {@code length} pending characters with the tokens generated since the last send. */
    private void flush(int length) {
      if (length <= 0) {
        return;
      }
      sink.onTokens(pending.substring(0, length), pendingTokens);
      pending.delete(0, length);
      pendingTokens = 0;
    }

    private int stopIndex() {
      int first = -1;
      for (String stop : request.stop()) {
        int at = stop.isEmpty() ? -1 : pending.indexOf(stop);
        if (at >= 0 && (first < 0 || at < first)) {
          first = at;
        }
      }
      return first;
    }

    /** Length of the longest end of the pending text that begins some stop sequence. */
    private int heldBack() {
      int longest = 0;
      String text = pending.toString();
      for (String stop : request.stop()) {
        for (int n = Math.min(stop.length() - 1, text.length()); n > longest; n--) {
          if (text.regionMatches(text.length() - n, stop, 0, n)) {
            longest = n;
            break;
          }
        }
      }
      return longest;
    }

    void cancel() {
      cancelled = true;
    }
  }
}
