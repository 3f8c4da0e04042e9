package dev.silkroute.worker.dispatch;

import static dev.silkroute.worker.engine.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.worker.ManualClock;
import dev.silkroute.worker.engine.GpuProfile;
import dev.silkroute.worker.engine.SimulatedGpu;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher over a simulated GPU stepped by hand, on a clock moved by each step's duration. */
class DispatcherTest {
  private static final String MODEL = "qwen/qwen3-32b";
  /** 10 ms decode steps at batch 1; price $3.60/h = 1 micro-USD per GPU-millisecond. */
  private static final GpuProfile PROFILE = new GpuProfile("TEST", 10_000, 100, 0.10, 16, 10_000, 3_600_000);

  private final ManualClock clock = new ManualClock();
  private final SimulatedGpu gpu = new SimulatedGpu(PROFILE);
  private final List<Submission.Reason> rejections = new ArrayList<>();
  private final DispatchObserver observer = new DispatchObserver() {
    @Override
    public void rejected(String model, Submission.Reason reason) {
      rejections.add(reason);
    }
  };

  private Dispatcher dispatcher(int maxRunning, int maxQueued) {
    return new Dispatcher(gpu, Set.of(MODEL), maxRunning, maxQueued, new GpuPrice(3_600_000), clock, observer);
  }

  @Test
  void accountsQueueTimeGpuTimeAndCostPerRequest() {
    Dispatcher dispatcher = dispatcher(1, 1);
    RecordingResponse first = new RecordingResponse();
    RecordingResponse second = new RecordingResponse();
    dispatcher.submit(chat(MODEL, "x".repeat(400), 10), first);
    dispatcher.submit(chat(MODEL, "x".repeat(400), 10), second);

    long firstElapsed = runUntil(() -> first.finished != null);
    runUntil(() -> second.finished != null);

    // 104 prompt tokens at 10k/s = 10.4 ms prefill, then 9 decode steps of 10 ms, all its own.
    assertThat(first.finished.gpuMicros()).isEqualTo(100_400);
    assertThat(first.finished.costMicros()).isEqualTo(100);
    assertThat(first.finished.queueMillis()).isZero();
    assertThat(first.finished.finishReason()).isEqualTo("length");
    assertThat(first.finished.completionTokens()).isEqualTo(10).isEqualTo(first.tokens.get());
    assertThat(first.finished.promptTokens()).isEqualTo(104);
    assertThat(second.finished.queueMillis()).isEqualTo(TimeUnit.NANOSECONDS.toMillis(firstElapsed));
  }

  @Test
  void rejectsUnknownModelsAndRequestsBeyondTheQueue() {
    Dispatcher dispatcher = dispatcher(1, 1);

    Submission unknown = dispatcher.submit(chat("acme/nope", "hi", 10), new RecordingResponse());
    dispatcher.submit(chat(MODEL, "hi", 10), new RecordingResponse());
    dispatcher.submit(chat(MODEL, "hi", 10), new RecordingResponse());
    Submission full = dispatcher.submit(chat(MODEL, "hi", 10), new RecordingResponse());

    assertThat(unknown).isInstanceOfSatisfying(Submission.Rejected.class, r -> {
      assertThat(r.reason()).isEqualTo(Submission.Reason.UNKNOWN_MODEL);
      assertThat(r.description()).contains("acme/nope", MODEL);
    });
    assertThat(full).isInstanceOfSatisfying(Submission.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Submission.Reason.OVERLOADED));
    assertThat(rejections).containsExactly(Submission.Reason.UNKNOWN_MODEL, Submission.Reason.OVERLOADED);
  }

  @Test
  void cancellingARunningRequestStartsTheNextOne() {
    Dispatcher dispatcher = dispatcher(1, 1);
    RecordingResponse first = new RecordingResponse();
    RecordingResponse second = new RecordingResponse();
    Submission.Accepted running = (Submission.Accepted) dispatcher.submit(chat(MODEL, "a", 100), first);
    dispatcher.submit(chat(MODEL, "b", 5), second);
    step();
    step();

    running.cancel().run();

    assertThat(dispatcher.load().running()).isEqualTo(1);
    assertThat(dispatcher.load().queued()).isZero();
    runUntil(() -> second.finished != null);
    assertThat(first.tokens.get()).isEqualTo(2);
    assertThat(first.finished).isNull();
  }

  @Test
  void drainingRejectsNewRequestsAndCompletesWhenTheRunningOnesFinish() {
    Dispatcher dispatcher = dispatcher(1, 1);
    RecordingResponse running = new RecordingResponse();
    RecordingResponse queued = new RecordingResponse();
    dispatcher.submit(chat(MODEL, "a", 5), running);
    dispatcher.submit(chat(MODEL, "b", 5), queued);

    CompletableFuture<Void> drained = dispatcher.drain();
    Submission late = dispatcher.submit(chat(MODEL, "c", 5), new RecordingResponse());

    assertThat(late).isInstanceOfSatisfying(Submission.Rejected.class,
        r -> assertThat(r.reason()).isEqualTo(Submission.Reason.DRAINING));
    assertThat(drained).isNotDone();
    assertThat(dispatcher.load().draining()).isTrue();
    runUntil(() -> running.finished != null);
    assertThat(drained).isNotDone(); // the queued one was accepted: it runs too
    runUntil(() -> queued.finished != null);
    assertThat(drained).isDone();
  }

  @Test
  void estimatedTtftGrowsWhenRequestsMustWait() {
    Dispatcher dispatcher = dispatcher(1, 4);
    long idle = dispatcher.load().estimatedTtftMillis();
    dispatcher.submit(chat(MODEL, "a", 5), new RecordingResponse());
    long oneRunning = dispatcher.load().estimatedTtftMillis();
    dispatcher.submit(chat(MODEL, "b", 5), new RecordingResponse());
    long oneQueued = dispatcher.load().estimatedTtftMillis();

    assertThat(idle).isPositive();
    assertThat(oneRunning).isGreaterThan(idle);
    assertThat(oneQueued).isGreaterThan(oneRunning);
  }

  @Test
  void reportsTokensPerSecondAndKvCacheUse() {
    Dispatcher dispatcher = dispatcher(4, 0);
    dispatcher.submit(chat(MODEL, "x".repeat(396), 900), new RecordingResponse()); // 103 + 900 KV tokens
    assertThat(dispatcher.load().kvCacheUse()).isEqualTo(0.1003);

    long elapsed = 0;
    while (elapsed < TimeUnit.MILLISECONDS.toNanos(500)) {
      elapsed += step();
    }
    // prefill (10.3 ms) + 49 decode steps of 10 ms = one token each
    assertThat(dispatcher.load().tokensPerSecond()).isEqualTo(50);
  }

  /** As the real-time loop does: the step's tokens appear once its duration has passed. */
  private long step() {
    SimulatedGpu.Step step = gpu.nextStep();
    if (step == null) {
      return 0;
    }
    clock.advanceNanos(step.durationNanos());
    step.complete();
    return step.durationNanos();
  }

  private long runUntil(java.util.function.BooleanSupplier done) {
    long elapsed = 0;
    for (int i = 0; i < 10_000 && !done.getAsBoolean(); i++) {
      elapsed += step();
    }
    assertThat(done.getAsBoolean()).as("finished within 10k steps").isTrue();
    return elapsed;
  }
}
