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
 * <p>A prefix cache ({@link PrefixCache}) keeps the KV blocks of prompts' leading blocks after their
 * requests ended, evicted least recently used, up to the profile's KV-cache size: a request whose
 * leading blocks are held prefills only the rest (at least one token), so its first token comes
 * sooner and its GPU time is shorter; its usage counts the rest as cached tokens.
 *
 * <p>{@link RealTimeGpuLoop} runs the steps in real time; tests call {@link #runStep()} and move
 * their own clock by the duration it returns.
 */
public final class SimulatedGpu implements Engine {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedGpu.class);

  private final GpuProfile profile;
  private final Object lock = new Object();
  private final List<Sequence> batch = new ArrayList<>(); // guarded by lock, in arrival order
  /** KV blocks of prompt prefixes, by the router's block size; guarded by lock. */
  private PrefixCache prefixes;
  private int prefixBlockTokens;

  public SimulatedGpu(GpuProfile profile) {
    this.profile = profile;
  }

  @Override
  public List<Long> heldPrefixes(int max) {
    synchronized (lock) {
      return prefixes == null ? List.of() : prefixes.mostRecent(max);
    }
  }

  @Override
  public double prefillTokensPerSecond() {
    return profile.prefillTokensPerSecond();
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
        arrivals.forEach(this::lookUpPrefix);
        long promptTokens = arrivals.stream().mapToLong(Sequence::prefillTokens).sum();
        return new Step(arrivals, profile.prefillNanos(promptTokens), true);
      }
      // Admission keeps the batch within maxBatch; were it larger, the overflow waits a step.
      List<Sequence> decoding = List.copyOf(batch.subList(0, Math.min(batch.size(), profile.maxBatch())));
      return new Step(decoding, profile.decodeStepNanos(decoding.size()), false);
    }
  }

  /** How much of the arriving sequence's prompt the prefix cache holds (once, when first planned). */
  private void lookUpPrefix(Sequence s) {
    if (s.cachedTokens >= 0) {
      return;
    }
    s.cachedTokens = 0;
    List<Long> prefix = s.request.prefix();
    if (prefix.isEmpty()) {
      return;
    }
    if (prefixes == null || prefixBlockTokens != s.request.prefixBlockTokens()) {
      // The first request (or a router with another block size) sets the cache's block size.
      prefixBlockTokens = s.request.prefixBlockTokens();
      prefixes = new PrefixCache(Math.max(1, profile.kvCacheTokens() / prefixBlockTokens));
    }
    long held = (long) prefixes.leadingHeld(prefix) * prefixBlockTokens;
    s.cachedTokens = Math.max(0, Math.min(held, s.promptTokens - 1)); // the last prompt token is always computed
  }

  /** The sequence's prefix blocks are in the KV cache now. */
  private void prefilled(Sequence s) {
    synchronized (lock) {
      if (prefixes != null && !s.request.prefix().isEmpty() && s.request.prefixBlockTokens() == prefixBlockTokens) {
        prefixes.touch(s.request.prefix());
      }
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
        if (prefill) {
          prefilled(s);
        }
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
        long total = Math.max(1, sequences.stream().mapToLong(Sequence::prefillTokens).sum());
        long given = 0;
        for (int i = 0; i < n - 1; i++) {
          shares[i] = Math.round((double) durationNanos * sequences.get(i).prefillTokens() / total);
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
    /** Prompt tokens the prefix cache held when the sequence was planned for prefill; -1 before. */
    long cachedTokens = -1;
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
      sink.onFinish(new Completion(finish, promptTokens, generated, gpuNanos, Math.max(0, cachedTokens)));
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

    /** Prompt tokens the prefill must compute: those the prefix cache did not hold. */
    long prefillTokens() {
      return promptTokens - Math.max(0, cachedTokens);
    }

    void cancel() {
      cancelled = true;
    }
  }
}
