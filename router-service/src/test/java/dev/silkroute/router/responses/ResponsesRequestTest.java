package dev.silkroute.router.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import org.junit.jupiter.api.Test;

class ResponsesRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static ResponsesRequest read(String body) throws Exception {
    ResponsesRequest request = ResponsesRequest.from((ObjectNode) JSON.readTree(body));
    new ChatRequestParser(JSON).parse(request.chat().deepCopy()); // what the exchange would get must be valid
    return request;
  }

  private static void assertRefused(String body, String param) {
    assertThatThrownBy(() -> read(body)).isInstanceOfSatisfying(RouterException.class, e -> {
      assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
      assertThat(e.error().param()).as(e.error().message()).isEqualTo(param);
    });
  }

  @Test
  void aStringInputWithInstructionsBecomesASystemAndAUserMessage() throws Exception {
    ResponsesRequest request = read("{\"model\":\"a/b\",\"instructions\":\"Be brief.\",\"input\":\"Hi\","
        + "\"max_output_tokens\":64,\"temperature\":0.5,\"stream\":true}");

    assertThat(request.chat().get("messages")).isEqualTo(JSON.readTree(
        "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]"));
    assertThat(request.chat().get("max_tokens").asInt()).isEqualTo(64);
    assertThat(request.chat().get("temperature").asDouble()).isEqualTo(0.5);
    assertThat(request.chat().at("/stream_options/include_usage").asBoolean()).isTrue();
    assertThat(request.stream()).isTrue();
    assertThat(request.echo().get("instructions").asText()).isEqualTo("Be brief.");
  }

  @Test
  void aFunctionCallJoinsTheAssistantTurnAndItsOutputBecomesAToolMessage() throws Exception {
    ResponsesRequest request = read("{\"model\":\"a/b\",\"input\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Weather?\"},"
        + "{\"type\":\"input_image\",\"image_url\":\"https://x/y.png\",\"detail\":\"low\"}]},"
        + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Let me look.\"}]},"
        + "{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]},"
        + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"get_weather\",\"arguments\":\"{}\"},"
        + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"21C\"}],"
        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}],"
        + "\"tool_choice\":{\"type\":\"function\",\"name\":\"get_weather\"}}");

    JsonNode messages = request.chat().get("messages");
    assertThat(messages).hasSize(3);
    assertThat(messages.at("/0/content/1")).isEqualTo(JSON.readTree(
        "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\",\"detail\":\"low\"}}"));
    assertThat(messages.get(1)).isEqualTo(JSON.readTree("{\"role\":\"assistant\",\"content\":\"Let me look.\","
        + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]}"));
    assertThat(messages.get(2)).isEqualTo(JSON.readTree("{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"21C\"}"));
    assertThat(request.chat().get("tools")).isEqualTo(JSON.readTree(
        "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}}]"));
    assertThat(request.chat().get("tool_choice")).isEqualTo(JSON.readTree(
        "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
    assertThat(request.echo().get("tools")).isEqualTo(JSON.readTree("[{\"type\":\"function\",\"name\":\"get_weather\","
        + "\"description\":null,\"parameters\":{\"type\":\"object\"},\"strict\":null}]"));
  }

  @Test
  void aJsonSchemaTextFormatBecomesChatsResponseFormat() throws Exception {
    ResponsesRequest request = read("{\"model\":\"a/b\",\"input\":\"city\",\"text\":{\"format\":{\"type\":\"json_schema\","
        + "\"name\":\"city\",\"strict\":true,\"schema\":{\"type\":\"object\"}}},\"reasoning\":{\"effort\":\"low\"}}");

    assertThat(request.chat().get("response_format")).isEqualTo(JSON.readTree("{\"type\":\"json_schema\","
        + "\"json_schema\":{\"name\":\"city\",\"schema\":{\"type\":\"object\"},\"strict\":true}}"));
    assertThat(request.chat().get("reasoning_effort").asText()).isEqualTo("low");
  }

  @Test
  void whatNeedsStoredStateOrOpenAisOwnToolsIsRefusedNamingTheField() {
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "previous_response_id");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"background\":true}", "background");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"tools\":[{\"type\":\"web_search\"}]}", "tools[0].type");
    assertRefused("{\"model\":\"a/b\",\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0].type");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"frequency_penalty\":1}", "frequency_penalty");
  }

  @Test
  void malformedFieldsAreRefusedNamingThem() {
    assertRefused("{\"model\":\"a/b\"}", "input");
    assertRefused("{\"input\":\"x\"}", "model");
    assertRefused("{\"model\":\"a/b\",\"input\":[]}", "input");
    assertRefused("{\"model\":\"a/b\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "input[0].role");
    assertRefused("{\"model\":\"a/b\",\"input\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}",
        "input[0].call_id");
    assertRefused("{\"model\":\"a/b\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\"}]}]}",
        "input[0].content[0].text");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"max_output_tokens\":0}", "max_output_tokens");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"temperature\":3}", "temperature");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"}}",
        "tool_choice.name");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"n\"}}}",
        "text.format.schema");
    assertRefused("{\"model\":\"a/b\",\"input\":\"x\",\"metadata\":{\"k\":1}}", "metadata.k");
  }
}
