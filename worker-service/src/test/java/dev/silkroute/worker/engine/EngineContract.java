package dev.silkroute.worker.engine;

import static dev.silkroute.worker.engine.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Engine} promises the worker, run against each engine: streamed text whose chunks
 * add up to the usage, a finish reason, max_tokens honoured, the same request answered alike, GPU
 * time accounted, and a cancel that stops the output with neither finish nor failure.
 */
abstract class EngineContract {
  static final String MODEL = "qwen/qwen3-32b";
  /** Engines under test answer this request with more than {@link #SHORT} tokens. */
  static final int SHORT = 5;

  private Engine engine;

  /** A started engine whose answers are long enough to cut at {@link #SHORT} and slow enough to cancel. */
  abstract Engine start();

  @BeforeEach
  void startEngine() {
    engine = start();
  }

  @AfterEach
  void closeEngine() {
    engine.close();
  }

  private RecordingSink generate(int maxTokens) {
    RecordingSink sink = new RecordingSink();
    engine.start(chat(MODEL, "tell me about silk roads", maxTokens, 3), sink);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.completion != null || sink.failure != null);
    assertThat(sink.failure).isNull();
    return sink;
  }

  @Test
  void streamsTextWhoseChunksAddUpToTheUsage() {
    RecordingSink sink = generate(1_000);

    assertThat(sink.text()).isNotBlank();
    assertThat(sink.chunks.size()).isGreaterThan(1);
    assertThat(sink.tokens()).isEqualTo((int) sink.completion.completionTokens());
    assertThat(sink.completion.finishReason()).isIn(Completion.STOP, Completion.LENGTH);
    assertThat(sink.completion.promptTokens()).isPositive();
    assertThat(sink.completion.gpuNanos()).isPositive();
  }

  @Test
  void stopsAtMaxTokensWithFinishReasonLength() {
    RecordingSink sink = generate(SHORT);

    assertThat(sink.completion.finishReason()).isEqualTo(Completion.LENGTH);
    assertThat(sink.completion.completionTokens()).isEqualTo(SHORT);
    assertThat(sink.tokens()).isEqualTo(SHORT);
  }

  @Test
  void answersTheSameRequestWithTheSameText() {
    assertThat(generate(1_000).text()).isEqualTo(generate(1_000).text());
  }

  @Test
  void aCancelledGenerationStopsWithNeitherFinishNorFailure() throws InterruptedException {
    RecordingSink sink = new RecordingSink();
    Generation generation = engine.start(chat(MODEL, "tell me about silk roads", 1_000, 3), sink);
    await().atMost(Duration.ofSeconds(10)).until(() -> sink.tokens() >= 1);

    generation.cancel();
    int atCancel = sink.tokens();
    Thread.sleep(300); // nothing may arrive during a period in which the engine would have sent many tokens

    assertThat(sink.tokens()).isLessThanOrEqualTo(atCancel + 1); // one may be in flight
    assertThat(sink.completion).isNull();
    assertThat(sink.failure).isNull();
  }
}
