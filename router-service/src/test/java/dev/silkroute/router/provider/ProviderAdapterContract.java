package dev.silkroute.router.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link ProviderAdapter} must do, whatever its dialect: OpenAI-shaped requests in,
 * OpenAI-shaped answers out, streamed as whole, cancel honoured at once. Run against each dialect:
 * OpenAI-compatible and Anthropic through the one HTTP transport ({@link HttpDialectContract}, on
 * provider-sim), and worker gRPC ({@code WorkerAdapterContractIT}, on a real worker).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ProviderAdapterContract {

  protected static final ObjectMapper JSON = new ObjectMapper();

  protected ProviderAdapter adapter;

  /** The endpoint the upstream serves. */
  protected abstract Endpoint endpoint();

  /** Makes the upstream's next answers long and slow: some 10 s of tokens at about 20 per second. */
  protected abstract void slowDown();

  protected static ChatRequest request(String json) {
    return new ChatRequestParser(JSON).parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A plain text request; the same prompt gets the same answer from the upstream. */
  protected ChatRequest text(String prompt, boolean stream) {
    return request("""
        {"model": "test/model", "stream": %s, "messages": [
          {"role": "system", "content": "You are terse."},
          {"role": "user", "content": "%s"}]}""".formatted(stream, prompt));
  }

  @Test
  void completesTextWithUsage() throws Exception {
    Completion completion = Waiting.complete(adapter, endpoint(), text("Tell me about silk", false));

    JsonNode choice = completion.body().path("choices").path(0);
    assertThat(completion.body().path("object").asText()).isEqualTo("chat.completion");
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").path("content").asText()).isNotBlank();
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(completion.usage().promptTokens()).isPositive();
    assertThat(completion.usage().completionTokens()).isPositive();
    assertThat(completion.body().path("usage").path("completion_tokens").asLong())
        .isEqualTo(completion.usage().completionTokens());
  }

  @Test
  void streamsTheSameTextAsChunksAndReportsUsage() throws Exception {
    Completion whole = Waiting.complete(adapter, endpoint(), text("Tell me about silk", false));
    List<ObjectNode> chunks = new ArrayList<>();

    StreamEnd end = Waiting.stream(adapter, endpoint(), text("Tell me about silk", true), chunks::add, () -> false);

    assertThat(end.complete()).isTrue();
    assertThat(end.finishReason()).isEqualTo("stop");
    assertThat(chunks).allSatisfy(c -> assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk"));
    StringBuilder streamed = new StringBuilder();
    chunks.forEach(c -> streamed.append(c.path("choices").path(0).path("delta").path("content").asText("")));
    assertThat(streamed.toString()).isEqualTo(whole.body().at("/choices/0/message/content").asText());
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    assertThat(end.usage().completionTokens()).isEqualTo(whole.usage().completionTokens());
    assertThat(end.usage().promptTokens()).isEqualTo(whole.usage().promptTokens());
  }

  @Test
  void stopsAWaitedStreamOnceCancelledTurnsTrue() throws Exception {
    slowDown();
    List<ObjectNode> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();
    long start = System.nanoTime();

    StreamEnd end = Waiting.stream(adapter, endpoint(), text("a long story", true), chunks::add, () -> chunks.size() >= 2);

    assertThat(end.complete()).isFalse();
    assertThat(chunks).hasSizeLessThan(20);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void completesWithoutWaitingAsItDoesWaiting() throws Exception {
    Completion waited = Waiting.complete(adapter, endpoint(), text("Tell me about silk", false));

    Completion completion = adapter.completeAsync(endpoint(), text("Tell me about silk", false), new Cancellation())
        .get(10, TimeUnit.SECONDS);

    assertThat(completion.body().at("/choices/0/message/content").asText())
        .isNotBlank().isEqualTo(waited.body().at("/choices/0/message/content").asText());
    assertThat(completion.usage()).isEqualTo(waited.usage());
    assertThat(completion.finishReason()).isEqualTo(waited.finishReason());
  }

  @Test
  void streamsAsyncTheSameTextAsTheBlockingStream() throws Exception {
    List<ObjectNode> waited = new ArrayList<>();
    Waiting.stream(adapter, endpoint(), text("Tell me about silk", true), waited::add, () -> false);
    List<ObjectNode> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();

    StreamEnd end = adapter.streamAsync(endpoint(), text("Tell me about silk", true), chunks::add, new Cancellation()).get(10, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(end.complete()).isTrue();
    assertThat(end.finishReason()).isEqualTo("stop");
    assertThat(end.usage().completionTokens()).isPositive();
    assertThat(content(chunks)).isEqualTo(content(waited));
  }

  @Test
  void stopsAnAsyncStreamPromptlyOnCancel() throws Exception {
    slowDown();
    List<ObjectNode> chunks = new java.util.concurrent.CopyOnWriteArrayList<>();
    Cancellation cancellation = new Cancellation();

    var end = adapter.streamAsync(endpoint(), text("a long story", true), chunks::add, cancellation);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> chunks.size() >= 2);
    cancellation.cancel();

    assertThat(end.get(2, java.util.concurrent.TimeUnit.SECONDS).complete()).isFalse();
    int atCancel = chunks.size();
    Thread.sleep(300); // no further chunk may come: long enough for several at 20 per second
    assertThat(chunks).hasSize(atCancel);
  }

  protected static UpstreamException asyncFailure(CompletableFuture<?> end) {
    java.util.concurrent.ExecutionException e = catchThrowableOfType(
        () -> end.get(10, java.util.concurrent.TimeUnit.SECONDS), java.util.concurrent.ExecutionException.class);
    assertThat(e).as("the stream failed").isNotNull();
    assertThat(e.getCause()).isInstanceOf(UpstreamException.class);
    return (UpstreamException) e.getCause();
  }

  protected static String content(List<ObjectNode> chunks) {
    StringBuilder text = new StringBuilder();
    chunks.forEach(c -> text.append(c.path("choices").path(0).path("delta").path("content").asText("")));
    return text.toString();
  }

  protected static List<JsonNode> toList(JsonNode array) {
    List<JsonNode> list = new ArrayList<>();
    array.forEach(list::add);
    return list;
  }
}
