package dev.silkroute.worker.engine;

import static dev.silkroute.worker.engine.Requests.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a tiny OpenAI-style SSE server standing in for vLLM / llama.cpp / Ollama. */
class OpenAiCompatibleEngineTest {
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
  private HttpServer upstream;
  private volatile int status = 200;
  private volatile List<String> events;
  private volatile boolean endless;
  private final java.util.concurrent.atomic.AtomicBoolean upstreamSawHangUp = new java.util.concurrent.atomic.AtomicBoolean();
  private OpenAiCompatibleEngine engine;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/v1/chat/completions", this::answer);
    upstream.start();
    engine = new OpenAiCompatibleEngine(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1"),
        Optional.of("sk-upstream"), Duration.ofSeconds(5), HttpClient.newHttpClient(), json, System::nanoTime);
  }

  @AfterEach
  void stopUpstream() {
    upstream.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    lastBody.set(json.readTree(exchange.getRequestBody()));
    lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
    if (status != 200) {
      byte[] error = "{\"error\":{\"message\":\"model is loading\"}}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, error.length);
      exchange.getResponseBody().write(error);
      exchange.close();
      return;
    }
    exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
    exchange.sendResponseHeaders(200, 0);
    try (OutputStream out = exchange.getResponseBody()) {
      for (String event : events) {
        out.write((event + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
      while (endless) { // a generation that goes on until the client hangs up
        out.write((delta(" more") + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(5);
      }
    } catch (IOException e) {
      upstreamSawHangUp.set(true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String delta(String content) {
    return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]}";
  }

  @Test
  void streamsTheUpstreamTokensAndTakesItsUsage() {
    events = List.of(
        ": keep-alive",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}",
        delta("Hello"), delta(" silk"), delta(" road"),
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}",
        "data: [DONE]");
    RecordingSink sink = new RecordingSink();

    engine.start(chat("qwen/qwen3-32b", "hi", 3, 42), sink);

    await().atMost(Duration.ofSeconds(5)).until(() -> sink.completion != null);
    assertThat(sink.text()).isEqualTo("Hello silk road");
    assertThat(sink.chunks).containsExactly(1, 1, 1);
    assertThat(sink.completion.finishReason()).isEqualTo(Completion.LENGTH);
    assertThat(sink.completion.promptTokens()).isEqualTo(12);
    assertThat(sink.completion.completionTokens()).isEqualTo(3);
    assertThat(sink.completion.gpuNanos()).isPositive();
    JsonNode body = lastBody.get();
    assertThat(body.get("model").asText()).isEqualTo("qwen/qwen3-32b");
    assertThat(body.get("stream").asBoolean()).isTrue();
    assertThat(body.get("max_tokens").asInt()).isEqualTo(3);
    assertThat(body.get("seed").asLong()).isEqualTo(42);
    assertThat(body.at("/messages/0/content").asText()).isEqualTo("hi");
    assertThat(lastAuthorization.get()).isEqualTo("Bearer sk-upstream");
  }

  @Test
  void countsTokensItselfWhenTheUpstreamSendsNoUsage() {
    events = List.of(delta("a"), delta("b"),
        "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}", "data: [DONE]");
    RecordingSink sink = new RecordingSink();

    engine.start(chat("qwen/qwen3-32b", "hello", 10), sink);

    await().atMost(Duration.ofSeconds(5)).until(() -> sink.completion != null);
    assertThat(sink.completion.finishReason()).isEqualTo(Completion.STOP);
    assertThat(sink.completion.completionTokens()).isEqualTo(2);
    assertThat(sink.completion.promptTokens()).isEqualTo(chat("qwen/qwen3-32b", "hello", 10).estimatedPromptTokens());
  }

  @Test
  void cancellingClosesTheUpstreamConnection() {
    events = List.of(delta("start"));
    endless = true;
    RecordingSink sink = new RecordingSink();
    Generation generation = engine.start(chat("qwen/qwen3-32b", "hi", 100_000), sink);
    await().atMost(Duration.ofSeconds(5)).until(() -> sink.tokens() >= 3);

    generation.cancel();

    await().atMost(Duration.ofSeconds(5)).untilTrue(upstreamSawHangUp);
    int tokensAtHangUp = sink.tokens();
    assertThat(sink.completion).isNull();
    assertThat(sink.failure).isNull();
    assertThat(tokensAtHangUp).isLessThan(1_000);
  }

  @Test
  void failsWithTheUpstreamStatusAndMessage() {
    status = 503;
    RecordingSink sink = new RecordingSink();

    engine.start(chat("qwen/qwen3-32b", "hi", 3), sink);

    await().atMost(Duration.ofSeconds(5)).until(() -> sink.failure != null);
    assertThat(sink.failure).hasMessageContaining("503").hasMessageContaining("model is loading");
    assertThat(sink.completion).isNull();
  }

  @Test
  void failsWhenTheStreamEndsWithoutAFinishReason() {
    events = List.of(delta("a"));
    RecordingSink sink = new RecordingSink();

    engine.start(chat("qwen/qwen3-32b", "hi", 3), sink);

    await().atMost(Duration.ofSeconds(5)).until(() -> sink.failure != null);
    assertThat(sink.failure).hasMessageContaining("without a finish_reason");
    assertThat(sink.text()).isEqualTo("a");
  }
}
