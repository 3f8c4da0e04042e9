package dev.silkroute.router.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What an Anthropic request becomes in the router's OpenAI-shaped chat request. */
class AnthropicRequestTest {

  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicRequest requests = new AnthropicRequest(json);

  @Test
  void translatesEveryPartOfAConversationWithTools() {
    JsonNode chat = translate(AnthropicRequestFuzzTest.VALID);

    assertThat(chat.path("model").asText()).isEqualTo("deepseek/deepseek-chat-v3");
    assertThat(chat.path("max_tokens").asLong()).isEqualTo(64);
    assertThat(chat.at("/stop/0").asText()).isEqualTo("END");
    assertThat(chat.path("user").asText()).isEqualTo("u1");
    assertThat(chat.at("/reasoning/max_tokens").asLong()).isEqualTo(32);
    assertThat(chat.at("/tools/0/function/name").asText()).isEqualTo("get_weather");
    assertThat(chat.at("/tools/0/function/parameters/type").asText()).isEqualTo("object");
    assertThat(chat.at("/tool_choice/function/name").asText()).isEqualTo("get_weather");
    assertThat(chat.path("parallel_tool_calls").asBoolean(true)).isFalse();

    JsonNode messages = chat.path("messages");
    assertThat(messages).hasSize(4);
    assertThat(messages.at("/0/role").asText()).isEqualTo("system");
    assertThat(messages.at("/0/content").asText()).isEqualTo("Be brief.");
    assertThat(messages.at("/1/role").asText()).isEqualTo("user");
    assertThat(messages.at("/1/content/0/text").asText()).isEqualTo("Hi");
    assertThat(messages.at("/1/content/1/image_url/url").asText()).isEqualTo("data:image/png;base64,AAAA");
    // The thinking block is dropped; text and the tool call stay in one assistant message.
    assertThat(messages.at("/2/role").asText()).isEqualTo("assistant");
    assertThat(messages.at("/2/content").asText()).isEqualTo("Let me look.");
    assertThat(messages.at("/2/tool_calls/0/id").asText()).isEqualTo("toolu_1");
    assertThat(messages.at("/2/tool_calls/0/function/arguments").asText()).isEqualTo("{\"city\":\"Lisbon\"}");
    assertThat(messages.at("/3/role").asText()).isEqualTo("tool");
    assertThat(messages.at("/3/tool_call_id").asText()).isEqualTo("toolu_1");
    assertThat(messages.at("/3/content").asText()).isEqualTo("21C");
  }

  @Test
  void putsToolResultsBeforeTheRestOfTheirUserTurn() {
    JsonNode chat = translate("{\"model\":\"a/b\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"text\",\"text\":\"and also\"},"
        + "{\"type\":\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"boom\",\"is_error\":true}]}]}");

    assertThat(chat.at("/messages/0/role").asText()).isEqualTo("tool");
    assertThat(chat.at("/messages/0/content").asText()).isEqualTo("Error: boom");
    assertThat(chat.at("/messages/1/role").asText()).isEqualTo("user");
  }

  @Test
  void asksForUsageOnAStreamAndMapsToolChoices() {
    JsonNode chat = translate("{\"model\":\"a/b\",\"max_tokens\":8,\"stream\":true,\"tool_choice\":{\"type\":\"any\"},"
        + "\"tools\":[{\"name\":\"f\",\"input_schema\":{\"type\":\"object\"}}],"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    assertThat(chat.path("stream").asBoolean()).isTrue();
    assertThat(chat.at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(chat.path("tool_choice").asText()).isEqualTo("required");
  }

  @Test
  void namesTheFieldAtFault() {
    assertThatThrownBy(() -> translate("{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().message()).startsWith("max_tokens:"));
    assertThatThrownBy(() -> translate("{\"model\":\"a/b\",\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
        + "\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/bmp\","
        + "\"data\":\"AA\"}}]}]}"))
        .isInstanceOfSatisfying(RouterException.class,
            e -> assertThat(e.error().param()).isEqualTo("messages.0.content.0.source.media_type"));
    assertThatThrownBy(() -> translate("{\"model\":\"a/b\",\"max_tokens\":8,\"tools\":[{\"type\":\"bash_20250124\","
        + "\"name\":\"bash\"}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().param()).isEqualTo("tools.0.type"));
  }

  private ObjectNode translate(String body) {
    return requests.toChat(requests.read(body.getBytes(StandardCharsets.UTF_8)));
  }
}
