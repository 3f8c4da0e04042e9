package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultKnobsTest {

  private static final String CHAT = """
      {"model": "deepseek-chat", "messages": [{"role": "user", "content": "hello"}]}""";
  private static final String STREAM = """
      {"model": "deepseek-chat", "stream": true, "messages": [{"role": "user", "content": "hello"}]}""";

  private ProviderSim sim;
  private String chatUrl;
  private final RawClient http = new RawClient();

  @BeforeEach
  void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.anthropic("anthropic")));
    chatUrl = sim.baseUrl("deepseek") + "/chat/completions";
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void rateLimitsWithRetryAfterAndOpenAiErrorShape() throws Exception {
    sim.update("deepseek", Knobs.builder().rateLimitRate(1.0).retryAfterSeconds(7).build());

    HttpResponse<String> response = http.post(chatUrl, CHAT);

    assertThat(response.statusCode()).isEqualTo(429);
    assertThat(response.headers().firstValue("Retry-After")).hasValue("7");
    JsonNode error = RawClient.json(response.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.has("message") && error.has("type") && error.has("param")).isTrue();
  }

  @Test
  void errorRateOneAnswersEveryRequest500InEachProvidersShape() throws Exception {
    sim.update("deepseek", Knobs.builder().errorRate(1.0).build());
    sim.update("anthropic", Knobs.builder().errorRate(1.0).build());

    for (int i = 0; i < 5; i++) {
      HttpResponse<String> response = http.post(chatUrl, CHAT);
      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(RawClient.json(response.body()).path("error").path("type").asText()).isEqualTo("server_error");
    }
    HttpResponse<String> anthropic = http.post(sim.baseUrl("anthropic") + "/messages",
        "{\"model\":\"claude\",\"max_tokens\":9,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(anthropic.statusCode()).isEqualTo(500);
    assertThat(RawClient.json(anthropic.body()).path("error").path("type").asText()).isEqualTo("api_error");
    assertThat(sim.requestCount("deepseek")).isEqualTo(5);
  }

  @Test
  void errorRateDrawsTheSameFailuresForTheSameSeed() throws Exception {
    Knobs flaky = Knobs.builder().errorRate(0.5).seed(42).build();
    sim.update("deepseek", flaky);
    List<Integer> first = statuses(20);
    sim.update("deepseek", flaky);
    List<Integer> second = statuses(20);
    sim.update("deepseek", flaky.toBuilder().seed(43).build());
    List<Integer> otherSeed = statuses(20);

    assertThat(first).contains(200, 500).isEqualTo(second).isNotEqualTo(otherSeed);
  }

  @Test
  void cutsTheStreamAfterNTokensWithoutDone() throws Exception {
    sim.update("deepseek", Knobs.builder().streamCutAfterTokens(3).completionTokens(20).build());

    // Read to EOF: the server closes the socket (it never says Connection: close for a stream).
    String wire = RawClient.rawPost(chatUrl, STREAM);

    assertThat(wire).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
    assertThat(wire).doesNotContain("[DONE]").doesNotContain("finish_reason\":\"");
    assertThat(wire).as("no terminating zero-length chunk").doesNotEndWith("\r\n0\r\n\r\n");
    assertThat(Pattern.compile("\"delta\":\\{\"content\":\"[^\"]+\"").matcher(wire).results().count())
        .isEqualTo(3);

    // The same knobs through the JDK client: the stream fails instead of ending.
    RawClient.Stream stream = http.stream(chatUrl, STREAM);
    assertThat(stream.failure()).isInstanceOf(IOException.class);
    assertThat(stream.done()).isFalse();
  }

  @Test
  void stallsTheStreamAfterNTokensWithTheConnectionHeldOpen() throws Exception {
    sim.update("deepseek", Knobs.builder().stallAfterTokens(3).completionTokens(20).build());
    URI uri = URI.create(chatUrl);
    byte[] payload = STREAM.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.getOutputStream().write(("POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(payload);
      socket.setSoTimeout(1_500);
      ByteArrayOutputStream wire = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      // Reads until the server goes silent: a stall, not a close, ends the reading.
      assertThatThrownBy(() -> {
        for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
          wire.write(buffer, 0, n);
        }
      }).isInstanceOf(SocketTimeoutException.class);

      String seen = wire.toString(StandardCharsets.UTF_8);
      assertThat(seen).startsWith("HTTP/1.1 200").doesNotContain("[DONE]");
      assertThat(Pattern.compile("\"delta\":\\{\"content\":\"[^\"]+\"").matcher(seen).results().count())
          .isEqualTo(3);
    }
  }

  @Test
  void cutsANonStreamResponseHalfWay() {
    sim.update("deepseek", Knobs.builder().streamCutAfterTokens(0).build());

    assertThatThrownBy(() -> http.post(chatUrl, CHAT)).isInstanceOf(IOException.class);
  }

  @Test
  void neverAnswersUntilTheClientGivesUp() throws Exception {
    sim.update("deepseek", Knobs.builder().neverAnswer(true).build());
    long start = System.nanoTime();

    // 1.5 s, not less: on a loaded machine a shorter wait gave up before the request even arrived.
    assertThatThrownBy(() -> http.send(chatUrl, "POST", CHAT, Map.of(), Duration.ofMillis(1_500)))
        .isInstanceOf(HttpTimeoutException.class);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
    assertThat(sim.requestCount("deepseek")).isEqualTo(1);
  }

  @Test
  void rejectsMissingOrWrongApiKeyWith401() throws Exception {
    sim.update("deepseek", Knobs.builder().apiKey("sk-provider-secret").build());

    HttpResponse<String> missing = http.post(chatUrl, CHAT);
    HttpResponse<String> wrong = http.post(chatUrl, CHAT, Map.of("Authorization", "Bearer sk-nope"));
    HttpResponse<String> right = http.post(chatUrl, CHAT, Map.of("Authorization", "Bearer sk-provider-secret"));

    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(RawClient.json(wrong.body()).path("error").path("code").asText()).isEqualTo("invalid_api_key");
    assertThat(right.statusCode()).isEqualTo(200);
    assertThat(sim.recentRequests("deepseek").get(2).header("Authorization")).hasValue("Bearer sk-provider-secret");
  }

  @Test
  void delaysTheFirstTokenAndPacesTheRest() throws Exception {
    sim.update("deepseek", Knobs.builder().ttftMs(300).tokensPerSecond(50).completionTokens(11).build());
    long start = System.nanoTime();

    RawClient.Stream stream = http.stream(chatUrl, STREAM);

    // 300 ms to the first token, then 10 more at 20 ms each.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    assertThat(stream.done()).isTrue();
  }

  @Test
  void reportsTheCachedShareOfThePromptInEachProvidersUsage() throws Exception {
    sim.update("deepseek", Knobs.builder().cachedPromptShare(0.5).build());
    sim.update("anthropic", Knobs.builder().cachedPromptShare(0.5).build());

    JsonNode openAi = RawClient.json(http.post(chatUrl, CHAT).body()).path("usage");
    JsonNode anthropic = RawClient.json(http.post(sim.baseUrl("anthropic") + "/messages", """
        {"model": "claude-sonnet-4", "max_tokens": 100, "system": "Be brief.",
         "messages": [{"role": "user", "content": "Hello there"}]}""").body()).path("usage");

    long prompt = openAi.path("prompt_tokens").asLong();
    assertThat(openAi.path("prompt_tokens_details").path("cached_tokens").asLong()).isEqualTo(prompt / 2);
    // Anthropic's input_tokens leaves the cache reads out: 14 prompt tokens, 7 of them cached.
    assertThat(anthropic.path("cache_read_input_tokens").asLong()).isEqualTo(7);
    assertThat(anthropic.path("input_tokens").asLong()).isEqualTo(7);
  }

  private List<Integer> statuses(int count) throws Exception {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      statuses.add(http.post(chatUrl, CHAT).statusCode());
    }
    return statuses;
  }
}
