package dev.silkroute.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The openai-compatible engine's embeddings against a tiny OpenAI-style server standing in for vLLM. */
class OpenAiCompatibleEmbeddingsTest {
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicReference<JsonNode> lastBody = new AtomicReference<>();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
  private volatile int status = 200;
  private volatile String answer;
  private HttpServer upstream;
  private OpenAiCompatibleEngine engine;

  @BeforeEach
  void startUpstream() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/v1/embeddings", this::answer);
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
    byte[] body = answer.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  @Test
  void postsTheTextsAndReadsTheVectorsInIndexOrderWithTheServersTokenCount() throws Exception {
    answer = """
        {"object":"list","data":[
          {"object":"embedding","index":1,"embedding":[0.0,1.0]},
          {"object":"embedding","index":0,"embedding":[0.6,0.8]}],
         "usage":{"prompt_tokens":7,"total_tokens":7}}""";

    Embeddings embeddings = engine.embedAsync(new EmbeddingRequest("gen-1", "BAAI/bge-m3", List.of("a", "b"),
        OptionalInt.of(2))).get();

    assertThat(engine.embeds()).isTrue();
    assertThat(embeddings.vectors()).hasSize(2);
    assertThat(embeddings.vectors().get(0)).containsExactly(0.6f, 0.8f);
    assertThat(embeddings.vectors().get(1)).containsExactly(0.0f, 1.0f);
    assertThat(embeddings.promptTokens()).isEqualTo(7);
    assertThat(lastBody.get().path("model").asText()).isEqualTo("BAAI/bge-m3");
    assertThat(lastBody.get().path("input")).hasSize(2);
    assertThat(lastBody.get().path("dimensions").asInt()).isEqualTo(2);
    assertThat(lastAuthorization.get()).isEqualTo("Bearer sk-upstream");
  }

  @Test
  void anErrorStatusOrAShortListIsAnEngineFailure() {
    status = 503;
    answer = "{\"error\":{\"message\":\"model is loading\"}}";
    assertThatThrownBy(() -> engine.embedAsync(new EmbeddingRequest("gen-1", "m", List.of("a"), OptionalInt.empty()))
        .get()).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(EngineFailure.class)
        .hasMessageContaining("503").hasMessageContaining("model is loading");

    status = 200;
    answer = "{\"data\":[{\"index\":0,\"embedding\":[1.0]}]}";
    assertThatThrownBy(() -> engine.embedAsync(new EmbeddingRequest("gen-1", "m", List.of("a", "b"),
        OptionalInt.empty())).get()).hasCauseInstanceOf(EngineFailure.class).hasMessageContaining("1 embeddings for 2");
  }
}
