package dev.silkroute.router.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.ChatMessage;
import dev.silkroute.proto.v1.ChatRequest;
import dev.silkroute.proto.v1.ContentPart;
import dev.silkroute.proto.v1.ProviderPreferences;
import dev.silkroute.proto.v1.ToolCall;
import org.junit.jupiter.api.Test;

class ChatRequestJsonTest {

  private final ChatRequestJson requests = new ChatRequestJson(new ObjectMapper());

  @Test
  void writesOnlyTheFieldsTheCallerSet() {
    JsonNode body = requests.toOpenAi(ChatRequest.newBuilder().setModel("a/m")
        .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi")).build(), false);

    assertThat(body.toString()).isEqualTo(
        "{\"model\":\"a/m\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  }

  @Test
  void mapsPartsToolCallsChoicesFormatsAndPreferences() {
    JsonNode body = requests.toOpenAi(ChatRequest.newBuilder().setModel("a/m")
        .addMessages(ChatMessage.newBuilder().setRole("user")
            .addParts(ContentPart.newBuilder().setText("what is this?"))
            .addParts(ContentPart.newBuilder().setImageUrl("data:image/png;base64,AAAA")))
        .addMessages(ChatMessage.newBuilder().setRole("assistant").addToolCalls(
            ToolCall.newBuilder().setId("c1").setName("w").setArgumentsJson("{\"city\":\"Paris\"}")))
        .addMessages(ChatMessage.newBuilder().setRole("tool").setToolCallId("c1").setContent("sunny"))
        .setMaxTokens(50).setTemperature(0).addStop("END").setToolChoice("w").setParallelToolCalls(false)
        .setResponseFormatType("json_schema").setResponseFormatSchemaJson("{\"type\":\"object\"}")
        .setProvider(ProviderPreferences.newBuilder().addOrder("deepseek").setAllowFallbacks(false)
            .setSort("price").setMaxPromptPrice(1.5))
        .build(), true);

    assertThat(body.path("stream").asBoolean()).isTrue();
    assertThat(body.at("/messages/0/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64,AAAA");
    assertThat(body.at("/messages/1").has("content")).isFalse();
    assertThat(body.at("/messages/1/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
    assertThat(body.at("/messages/2/tool_call_id").asText()).isEqualTo("c1");
    assertThat(body.path("temperature").isNumber()).isTrue();
    assertThat(body.path("max_tokens").asInt()).isEqualTo(50);
    assertThat(body.at("/tool_choice/function/name").asText()).isEqualTo("w");
    assertThat(body.path("parallel_tool_calls").asBoolean(true)).isFalse();
    assertThat(body.at("/response_format/json_schema/schema/type").asText()).isEqualTo("object");
    assertThat(body.at("/provider/order/0").asText()).isEqualTo("deepseek");
    assertThat(body.at("/provider/allow_fallbacks").asBoolean(true)).isFalse();
    assertThat(body.at("/provider/max_price/prompt").asDouble()).isEqualTo(1.5);
    assertThat(body.at("/provider/max_price").has("completion")).isFalse();
  }
}
