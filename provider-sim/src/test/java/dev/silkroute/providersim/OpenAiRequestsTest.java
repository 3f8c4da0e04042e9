package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Determinism and request validation of the OpenAI endpoint. */
class OpenAiRequestsTest {

  private static ProviderSim sim;
  private static String chatUrl;
  private final RawClient http = new RawClient();

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("qwen").withModels("qwen-max")));
    chatUrl = sim.baseUrl("qwen") + "/chat/completions";
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void sameRequestGetsTheSameContentAndAnotherRequestDifferentContent() throws Exception {
    String question = "{\"model\":\"qwen-max\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}";

    String first = content(http.post(chatUrl, question.formatted("What is jade?")));
    String again = content(http.post(chatUrl, question.formatted("What is jade?")));
    String other = content(http.post(chatUrl, question.formatted("What is silk?")));

    assertThat(first).isNotBlank().isEqualTo(again).isNotEqualTo(other);
  }

  @Test
  void rejectsMalformedJsonWith400InOpenAiShape() throws Exception {
    HttpResponse<String> response = http.post(chatUrl, "{\"model\": \"qwen-max\", \"messages\": [");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = RawClient.json(response.body()).path("error");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
  }

  @Test
  void rejectsMissingModelAndMissingMessagesNamingTheParam() throws Exception {
    HttpResponse<String> noModel = http.post(chatUrl, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    HttpResponse<String> noMessages = http.post(chatUrl, "{\"model\":\"qwen-max\"}");
    HttpResponse<String> badMax = http.post(chatUrl,
        "{\"model\":\"qwen-max\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(RawClient.json(noModel.body()).path("error").path("param").asText()).isEqualTo("model");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(RawClient.json(noMessages.body()).path("error").path("param").asText()).isEqualTo("messages");
    assertThat(badMax.statusCode()).isEqualTo(400);
    assertThat(RawClient.json(badMax.body()).path("error").path("param").asText()).isEqualTo("max_tokens");
  }

  @Test
  void rejectsForcedToolThatIsNotInTools() throws Exception {
    HttpResponse<String> response = http.post(chatUrl, """
        {"model": "qwen-max", "messages": [{"role": "user", "content": "hi"}],
         "tools": [{"type": "function", "function": {"name": "a", "parameters": {"type": "object"}}}],
         "tool_choice": {"type": "function", "function": {"name": "b"}}}
        """);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(RawClient.json(response.body()).path("error").path("param").asText()).isEqualTo("tool_choice");
  }

  @Test
  void answersUnknownModel404WhenModelsAreConfigured() throws Exception {
    HttpResponse<String> response = http.post(chatUrl,
        "{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(RawClient.json(response.body()).path("error").path("code").asText()).isEqualTo("model_not_found");
  }

  @Test
  void answersUnknownProviderAndPath404InOpenAiShape() throws Exception {
    HttpResponse<String> response = http.post(sim.url() + "/nobody/v1/chat/completions", "{}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(RawClient.json(response.body()).path("error").path("message").asText()).contains("qwen");
  }

  private static String content(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).isEqualTo(200);
    return RawClient.json(response.body()).path("choices").path(0).path("message").path("content").asText();
  }
}
