package dev.silkroute.worker.engine;

import static dev.silkroute.worker.engine.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedGpuTest {
  /** 100 tokens/s at batch 1 (10 ms steps), each extra sequence adds 10%. */
  private static final GpuProfile PROFILE = new GpuProfile("TEST", 10_000, 100, 0.10, 16, 100_000, 3_600_000);
  private static final String MODEL = "qwen/qwen3-32b";

  @Test
  void decodeStepsSlowDownAsTheBatchGrows() {
    SimulatedGpu alone = new SimulatedGpu(PROFILE);
    alone.start(chat(MODEL, "hello", 50), new RecordingSink());
    alone.runStep(); // prefill
    long step1 = alone.runStep();

    SimulatedGpu busy = new SimulatedGpu(PROFILE);
    for (int i = 0; i < 8; i++) {
      busy.start(chat(MODEL, "hello " + i, 50), new RecordingSink());
    }
    busy.runStep(); // one prefill for all eight
    long step8 = busy.runStep();

    assertThat(step1).isEqualTo(10_000_000L);
    assertThat(step8).isEqualTo(17_000_000L); // 10 ms * (1 + 0.1 * 7)
    double perSequence1 = 1e9 / step1;
    double perSequence8 = 1e9 / step8;
    assertThat(perSequence8).isLessThan(perSequence1); // each sequence decodes slower...
    assertThat(8 * perSequence8).isGreaterThan(4 * perSequence1); // ...while the GPU as a whole does more
  }

  @Test
  void prefillTakesPromptTokensOverPrefillSpeedAndYieldsTheFirstToken() {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    RecordingSink sink = new RecordingSink();
    GenerationRequest request = chat(MODEL, "x".repeat(4000), 50); // 1000 + 4 framing tokens
    gpu.start(request, sink);

    SimulatedGpu.Step step = gpu.nextStep();
    assertThat(step.prefill()).isTrue();
    assertThat(step.durationNanos()).isEqualTo(100_400_000L); // 1004 tokens at 10k tokens/s
    step.complete();
    assertThat(sink.tokens()).isEqualTo(1);
  }

  @Test
  void aPromptWhosePrefixIsCachedSkipsItsPrefillAndReportsCachedTokens() {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    List<Long> prefix = List.of(11L, 12L, 13L); // three blocks of 256 tokens: 768 tokens
    RecordingSink first = new RecordingSink();
    gpu.start(withPrefix("x".repeat(4000), prefix), first); // 1004 prompt tokens
    SimulatedGpu.Step cold = gpu.nextStep();
    cold.complete();
    while (first.completion == null) {
      gpu.runStep();
    }

    RecordingSink second = new RecordingSink();
    gpu.start(withPrefix("x".repeat(4000), prefix), second);
    SimulatedGpu.Step warm = gpu.nextStep();
    warm.complete();
    while (second.completion == null) {
      gpu.runStep();
    }

    assertThat(cold.durationNanos()).isEqualTo(100_400_000L); // 1004 tokens at 10k tokens/s
    assertThat(warm.durationNanos()).isEqualTo(23_600_000L);  // 1004 - 768 = 236 tokens
    assertThat(first.completion.cachedTokens()).isZero();
    assertThat(second.completion.cachedTokens()).isEqualTo(768);
    assertThat(second.completion.promptTokens()).isEqualTo(1004);
    assertThat(gpu.heldPrefixes(10)).containsExactlyInAnyOrder(11L, 12L, 13L);
    assertThat(gpu.heldPrefixes(1)).hasSize(1);
  }

  @Test
  void theLastPromptTokenIsAlwaysPrefilled() {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    List<Long> prefix = List.of(21L, 22L); // 512 tokens, more than the 104-token prompt
    gpu.start(withPrefix("x".repeat(400), prefix), new RecordingSink());
    gpu.runStep();
    RecordingSink again = new RecordingSink();
    gpu.start(withPrefix("x".repeat(400), prefix), again);
    SimulatedGpu.Step warm = gpu.nextStep();
    warm.complete();
    while (again.completion == null) {
      gpu.runStep();
    }

    assertThat(warm.durationNanos()).isEqualTo(100_000L); // one token
    assertThat(again.completion.cachedTokens()).isEqualTo(103);
  }

  private static GenerationRequest withPrefix(String prompt, List<Long> prefix) {
    return new GenerationRequest("gen-test", MODEL, List.of(new ChatMessage("user", prompt)), 3, null, null,
        java.util.OptionalLong.empty(), List.of(), prefix, 256);
  }

  @Test
  void gpuTimeIsApportionedByPromptForPrefillAndEquallyForDecode() {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    RecordingSink small = new RecordingSink();
    RecordingSink large = new RecordingSink();
    gpu.start(chat(MODEL, "x".repeat(400), 3), small); // 104 prompt tokens
    gpu.start(chat(MODEL, "x".repeat(1200), 3), large); // 304 prompt tokens
    long prefill = gpu.runStep();
    long decode1 = gpu.runStep();
    long decode2 = gpu.runStep();

    assertThat(small.completion.finishReason()).isEqualTo(Completion.LENGTH);
    assertThat(small.completion.gpuNanos() + large.completion.gpuNanos()).isEqualTo(prefill + decode1 + decode2);
    long smallPrefill = small.completion.gpuNanos() - (decode1 + decode2) / 2;
    long largePrefill = large.completion.gpuNanos() - (decode1 + decode2) / 2;
    assertThat((double) largePrefill / smallPrefill).isCloseTo(304.0 / 104, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void theSameRequestAlwaysGetsTheSameText() {
    assertThat(generate(chat(MODEL, "tell me about silk", 500, 7)))
        .isEqualTo(generate(chat(MODEL, "tell me about silk", 500, 7)));
    assertThat(generate(chat(MODEL, "tell me about silk", 500, 7)))
        .isNotEqualTo(generate(chat(MODEL, "tell me about silk", 500, 8)));
    assertThat(generate(chat(MODEL, "tell me about silk", 500, 7)))
        .isNotEqualTo(generate(chat("deepseek/deepseek-chat-v3", "tell me about silk", 500, 7)));
  }

  @Test
  void finishesWithStopAtItsNaturalEndAndWithLengthAtMaxTokens() {
    RecordingSink natural = run(chat(MODEL, "q", 10_000));
    assertThat(natural.completion.finishReason()).isEqualTo(Completion.STOP);
    assertThat(natural.completion.completionTokens())
        .isBetween((long) DeterministicText.MIN_LENGTH, (long) DeterministicText.MAX_LENGTH)
        .isEqualTo(natural.tokens());

    RecordingSink capped = run(chat(MODEL, "q", 5));
    assertThat(capped.completion.finishReason()).isEqualTo(Completion.LENGTH);
    assertThat(capped.completion.completionTokens()).isEqualTo(5);
    assertThat(capped.text().split(" ")).hasSize(5);
    assertThat(natural.text()).startsWith(capped.text());
  }

  @Test
  void aCancelledSequenceLeavesTheBatchAtTheNextStep() {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    RecordingSink kept = new RecordingSink();
    RecordingSink cancelled = new RecordingSink();
    gpu.start(chat(MODEL, "a", 100), kept);
    Generation generation = gpu.start(chat(MODEL, "b", 100), cancelled);
    gpu.runStep();
    generation.cancel();
    long step = gpu.runStep();

    assertThat(step).isEqualTo(PROFILE.decodeStepNanos(1));
    assertThat(gpu.batchSize()).isEqualTo(1);
    assertThat(cancelled.tokens()).isEqualTo(1);
    assertThat(cancelled.completion).isNull();
    assertThat(kept.tokens()).isEqualTo(2);
  }

  private static String generate(GenerationRequest request) {
    return run(request).text();
  }

  private static RecordingSink run(GenerationRequest request) {
    SimulatedGpu gpu = new SimulatedGpu(PROFILE);
    RecordingSink sink = new RecordingSink();
    gpu.start(request, sink);
    List<Long> steps = new ArrayList<>();
    long step;
    while ((step = gpu.runStep()) > 0) {
      steps.add(step);
    }
    assertThat(steps).isNotEmpty();
    return sink;
  }

  @Test
  void aStopSequenceEndsTheTextBeforeItEvenWhenItSpansTokens() {
    RecordingSink free = run(new GenerationRequest("gen-a", MODEL, List.of(new ChatMessage("user", "tell me")), 200,
        null, null, java.util.OptionalLong.of(7), List.of()));
    String text = free.text();
    String[] words = text.split(" ");
    // Two words from the middle, cut inside both: held back across tokens, then found.
    String stop = words[4].substring(1) + " " + words[5].substring(0, 1);
    int expectedEnd = text.indexOf(stop);

    RecordingSink stopped = run(new GenerationRequest("gen-b", MODEL, List.of(new ChatMessage("user", "tell me")),
        200, null, null, java.util.OptionalLong.of(7), List.of("never-there", stop)));

    assertThat(stopped.text()).isEqualTo(text.substring(0, expectedEnd));
    assertThat(stopped.completion.finishReason()).isEqualTo(Completion.STOP);
    assertThat(stopped.completion.completionTokens()).isLessThan(free.completion.completionTokens());
    assertThat(stopped.tokens()).isLessThanOrEqualTo((int) stopped.completion.completionTokens());
  }
}
