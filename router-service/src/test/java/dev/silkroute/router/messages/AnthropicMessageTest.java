package dev.silkroute.router.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The router's chat.completion as an Anthropic message. */
class AnthropicMessageTest {

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void writesReasoningTextAndToolCallsAsBlocksWithAnthropicsUsage() throws Exception {
    ObjectNode completion = (ObjectNode) json.readTree("{\"id\":\"gen-1\",\"object\":\"chat.completion\","
        + "\"model\":\"deepseek/deepseek-r1\",\"choices\":[{\"index\":0,\"finish_reason\":\"tool_calls\","
        + "\"message\":{\"role\":\"assistant\",\"reasoning_content\":\"Think first.\",\"content\":\"Looking.\","
        + "\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":\"{\\\"city\\\":\\\"Lisbon\\\"}\"}}]}}],"
        + "\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":12,\"prompt_tokens_details\":{\"cached_tokens\":10},"
        + "\"cost\":0.0001}}");

    JsonNode message = new AnthropicMessage(json).of(completion);

    assertThat(message.path("id").asText()).isEqualTo("gen-1");
    assertThat(message.path("type").asText()).isEqualTo("message");
    assertThat(message.path("role").asText()).isEqualTo("assistant");
    assertThat(message.at("/content/0/type").asText()).isEqualTo("thinking");
    assertThat(message.at("/content/0/thinking").asText()).isEqualTo("Think first.");
    assertThat(message.at("/content/1/text").asText()).isEqualTo("Looking.");
    assertThat(message.at("/content/2/type").asText()).isEqualTo("tool_use");
    assertThat(message.at("/content/2/id").asText()).isEqualTo("call_1");
    assertThat(message.at("/content/2/input/city").asText()).isEqualTo("Lisbon");
    assertThat(message.path("stop_reason").asText()).isEqualTo("tool_use");
    assertThat(message.path("stop_sequence").isNull()).isTrue();
    assertThat(message.at("/usage/input_tokens").asLong()).isEqualTo(20);
    assertThat(message.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(10);
    assertThat(message.at("/usage/output_tokens").asLong()).isEqualTo(12);
  }

  @Test
  void mapsFinishReasonsToStopReasons() {
    assertThat(AnthropicStopReason.of("stop")).isEqualTo("end_turn");
    assertThat(AnthropicStopReason.of("length")).isEqualTo("max_tokens");
    assertThat(AnthropicStopReason.of("tool_calls")).isEqualTo("tool_use");
    assertThat(AnthropicStopReason.of("content_filter")).isEqualTo("refusal");
    assertThat(AnthropicStopReason.of(null)).isEqualTo("end_turn");
  }
}
