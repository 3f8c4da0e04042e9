package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AnthropicMessagesTest {

  private static final String TOOLS = """
      "tools": [{"name": "lookup_order", "description": "find an order",
        "input_schema": {"type": "object", "required": ["order_id", "include"],
          "properties": {"order_id": {"type": "string", "minLength": 12},
            "include": {"type": "array", "items": {"enum": ["items", "payments"]}, "minItems": 2},
            "limit": {"type": "number", "minimum": 0.5, "maximum": 2},
            "filter": {"type": "object", "properties": {"since": {"type": "string", "format": "date"}}}}}}]
      """;

  private static ProviderSim sim;
  private static String messagesUrl;
  private final RawClient http = new RawClient();

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.anthropic("anthropic"), ProviderConfig.openai("deepseek")));
    messagesUrl = sim.baseUrl("anthropic") + "/messages";
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void answersWithATextMessageAndUsage() throws Exception {
    HttpResponse<String> response = http.post(messagesUrl, """
        {"model": "claude-sonnet-4", "max_tokens": 1000, "system": "Be brief.",
         "messages": [{"role": "user", "content": "Hello there"}]}
        """);

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode message = RawClient.json(response.body());
    assertThat(message.path("id").asText()).startsWith("msg_");
    assertThat(message.path("type").asText()).isEqualTo("message");
    assertThat(message.path("role").asText()).isEqualTo("assistant");
    assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
    String text = message.path("content").get(0).path("text").asText();
    assertThat(message.path("content").get(0).path("type").asText()).isEqualTo("text");
    assertThat(message.path("usage").path("output_tokens").asInt()).isEqualTo(text.split(" ").length);
    // system "Be brief." (9 chars -> 3) + user "Hello there" (11 chars -> 3) + 2 x 4 framing.
    assertThat(message.path("usage").path("input_tokens").asInt()).isEqualTo(14);
  }

  @Test
  void streamsTheMessageEventSequence() throws Exception {
    RawClient.Stream stream = http.stream(messagesUrl, """
        {"model": "claude-sonnet-4", "max_tokens": 5, "stream": true,
         "messages": [{"role": "user", "content": "Stream please"}]}
        """);

    assertThat(stream.status()).isEqualTo(200);
    assertThat(stream.failure()).isNull();
    List<String> events = stream.events();
    assertThat(events.get(0)).isEqualTo("message_start");
    assertThat(events.get(1)).isEqualTo("content_block_start");
    assertThat(events.subList(events.size() - 3, events.size()))
        .containsExactly("content_block_stop", "message_delta", "message_stop");
    assertThat(events.stream().filter("content_block_delta"::equals)).hasSize(5);
    JsonNode messageDelta = stream.data().stream()
        .filter(d -> d.path("type").asText().equals("message_delta")).findFirst().orElseThrow();
    assertThat(messageDelta.path("delta").path("stop_reason").asText()).isEqualTo("max_tokens");
    assertThat(messageDelta.path("usage").path("output_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void forcedToolStreamsInputJsonDeltasThatFormValidInput() throws Exception {
    RawClient.Stream stream = http.stream(messagesUrl, """
        {"model": "claude-sonnet-4", "max_tokens": 1000, "stream": true,
         "tool_choice": {"type": "tool", "name": "lookup_order"}, %s,
         "messages": [{"role": "user", "content": "Where is my order?"}]}
        """.formatted(TOOLS));

    List<JsonNode> data = stream.data();
    JsonNode blockStart = data.stream()
        .filter(d -> d.path("type").asText().equals("content_block_start")).findFirst().orElseThrow();
    assertThat(blockStart.path("content_block").path("type").asText()).isEqualTo("tool_use");
    assertThat(blockStart.path("content_block").path("name").asText()).isEqualTo("lookup_order");
    List<String> partials = data.stream()
        .filter(d -> d.path("delta").path("type").asText().equals("input_json_delta"))
        .map(d -> d.path("delta").path("partial_json").asText())
        .toList();
    assertThat(partials).hasSizeGreaterThan(2);
    assertOrderInput(RawClient.json(String.join("", partials)));
    JsonNode messageDelta = data.stream()
        .filter(d -> d.path("type").asText().equals("message_delta")).findFirst().orElseThrow();
    assertThat(messageDelta.path("delta").path("stop_reason").asText()).isEqualTo("tool_use");
  }

  @Test
  void toolChoiceAnyAnswersWithToolUseBlockAndTextAfterToolResult() throws Exception {
    JsonNode call = RawClient.json(http.post(messagesUrl, """
        {"model": "claude-sonnet-4", "max_tokens": 1000, "tool_choice": {"type": "any"}, %s,
         "messages": [{"role": "user", "content": "Where is my order?"}]}
        """.formatted(TOOLS)).body());
    assertThat(call.path("stop_reason").asText()).isEqualTo("tool_use");
    JsonNode toolUse = call.path("content").get(0);
    assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
    assertThat(toolUse.path("id").asText()).startsWith("toolu_");
    assertOrderInput(toolUse.path("input"));

    JsonNode answer = RawClient.json(http.post(messagesUrl, """
        {"model": "claude-sonnet-4", "max_tokens": 1000, "tool_choice": {"type": "any"}, %s,
         "messages": [{"role": "user", "content": "Where is my order?"},
           {"role": "assistant", "content": [%s]},
           {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "%s", "content": "shipped"}]}]}
        """.formatted(TOOLS, toolUse, toolUse.path("id").asText())).body());
    assertThat(answer.path("stop_reason").asText()).isEqualTo("end_turn");
    assertThat(answer.path("content").get(0).path("type").asText()).isEqualTo("text");
  }

  @Test
  void rejectsRequestWithoutMaxTokensInAnthropicShape() throws Exception {
    HttpResponse<String> response = http.post(messagesUrl, """
        {"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "hi"}]}
        """);

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = RawClient.json(response.body());
    assertThat(body.path("type").asText()).isEqualTo("error");
    assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(body.path("error").path("message").asText()).contains("max_tokens");
  }

  @Test
  void providerAnswersOnlyItsOwnProtocol() throws Exception {
    HttpResponse<String> openAiShapeAtAnthropic = http.post(sim.baseUrl("anthropic") + "/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    HttpResponse<String> anthropicShapeAtDeepseek = http.post(sim.baseUrl("deepseek") + "/messages",
        "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(openAiShapeAtAnthropic.statusCode()).isEqualTo(404);
    assertThat(RawClient.json(openAiShapeAtAnthropic.body()).path("error").path("message").asText())
        .contains("speaks anthropic");
    assertThat(anthropicShapeAtDeepseek.statusCode()).isEqualTo(404);
    assertThat(RawClient.json(anthropicShapeAtDeepseek.body()).path("error").path("type").asText())
        .isEqualTo("not_found_error");
  }

  @Test
  void requiresTheApiKeyInXApiKeyHeaderWhenConfigured() throws Exception {
    try (ProviderSim keyed = ProviderSim.start(0, List.of(ProviderConfig.anthropic("anthropic")
        .withKnobs(Knobs.builder().apiKey("sk-ant-secret").build())))) {
      String url = keyed.baseUrl("anthropic") + "/messages";
      String body = "{\"model\":\"m\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

      HttpResponse<String> missing = http.post(url, body);
      HttpResponse<String> right = http.post(url, body, Map.of("x-api-key", "sk-ant-secret"));

      assertThat(missing.statusCode()).isEqualTo(401);
      assertThat(RawClient.json(missing.body()).path("error").path("type").asText())
          .isEqualTo("authentication_error");
      assertThat(right.statusCode()).isEqualTo(200);
    }
  }

  private static void assertOrderInput(JsonNode input) {
    assertThat(input.path("order_id").asText()).hasSizeGreaterThanOrEqualTo(12);
    assertThat(input.path("include")).hasSizeGreaterThanOrEqualTo(2);
    input.path("include").forEach(i -> assertThat(i.asText()).isIn("items", "payments"));
    assertThat(input.path("limit").asDouble()).isBetween(0.5, 2.0);
    assertThat(input.path("filter").path("since").asText()).matches("\\d{4}-\\d{2}-\\d{2}");
  }
}
