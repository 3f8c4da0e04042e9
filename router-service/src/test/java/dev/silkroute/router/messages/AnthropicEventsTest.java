package dev.silkroute.router.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.SseStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OpenAI chunks in, Anthropic's event sequence out, as written on the wire. */
class AnthropicEventsTest {

  private final ObjectMapper json = new ObjectMapper();
  private final SseStream stream = new SseStream(Runnable::run);
  private final AnthropicEvents events = new AnthropicEvents(stream, json, "deepseek/deepseek-r1");

  @Test
  void turnsReasoningTextAndToolCallsIntoBlocksInOrder() throws Exception {
    events.chunk(chunk("{\"reasoning_content\":\"Let me think\"}", null));
    events.chunk(chunk("{\"reasoning\":\" harder\"}", null));
    events.chunk(chunk("{\"content\":\"Checking.\"}", null));
    events.chunk(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", null));
    events.chunk(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", null));
    events.chunk(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Lisbon\\\"}\"}}]}", null));
    events.chunk(chunk("{}", "tool_calls"));
    events.chunk((ObjectNode) json.readTree("{\"id\":\"gen-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":20,"
        + "\"completion_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":5}}}"));
    events.done();

    List<Event> written = written();
    assertThat(written).extracting(Event::name).containsExactly(
        "message_start", "ping",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
        "message_delta", "message_stop");
    assertThat(written.get(0).data().at("/message/id").asText()).isEqualTo("gen-1");
    assertThat(written.get(0).data().at("/message/model").asText()).isEqualTo("deepseek/deepseek-r1");
    assertThat(written.get(2).data().at("/content_block/type").asText()).isEqualTo("thinking");
    assertThat(written.get(3).data().at("/delta/type").asText()).isEqualTo("thinking_delta");
    assertThat(written.get(4).data().at("/delta/thinking").asText()).isEqualTo(" harder");
    assertThat(written.get(7).data().at("/delta/type").asText()).isEqualTo("text_delta");
    assertThat(written.get(7).data().at("/index").asInt()).isEqualTo(1);
    assertThat(written.get(9).data().at("/content_block/type").asText()).isEqualTo("tool_use");
    assertThat(written.get(9).data().at("/content_block/id").asText()).isEqualTo("call_1");
    assertThat(written.get(9).data().at("/content_block/name").asText()).isEqualTo("get_weather");
    assertThat(written.get(10).data().at("/delta/type").asText()).isEqualTo("input_json_delta");
    assertThat(written.get(10).data().at("/delta/partial_json").asText()
        + written.get(11).data().at("/delta/partial_json").asText()).isEqualTo("{\"city\":\"Lisbon\"}");
    JsonNode delta = written.get(13).data();
    assertThat(delta.at("/delta/stop_reason").asText()).isEqualTo("tool_use");
    assertThat(delta.at("/usage/input_tokens").asLong()).isEqualTo(15);
    assertThat(delta.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(5);
    assertThat(delta.at("/usage/output_tokens").asLong()).isEqualTo(9);
  }

  @Test
  void endsWithAnErrorEventWhenTheAnswerFailsMidStream() throws Exception {
    events.chunk(chunk("{\"content\":\"Once upon\"}", null));
    events.chunk((ObjectNode) json.readTree("{\"id\":\"gen-1\",\"error\":{\"message\":\"Provider cut the stream\","
        + "\"type\":\"upstream_error\",\"code\":\"provider_error\"},\"choices\":[{\"index\":0,"
        + "\"finish_reason\":\"error\",\"delta\":{}}]}"));
    events.chunk((ObjectNode) json.readTree("{\"id\":\"gen-1\",\"choices\":[],\"usage\":{\"prompt_tokens\":2}}"));
    events.done();

    List<Event> written = written();
    assertThat(written).extracting(Event::name).containsExactly(
        "message_start", "ping", "content_block_start", "content_block_delta", "error");
    assertThat(written.get(4).data().at("/type").asText()).isEqualTo("error");
    assertThat(written.get(4).data().at("/error/type").asText()).isEqualTo("overloaded_error");
    assertThat(written.get(4).data().at("/error/message").asText()).isEqualTo("Provider cut the stream");
  }

  @Test
  void answersAnEmptyAnswerWithAWellFormedMessage() {
    events.chunk(chunk("{}", "stop"));
    events.done();

    assertThat(written()).extracting(Event::name)
        .containsExactly("message_start", "ping", "message_delta", "message_stop");
  }

  @Test
  void writesAFailureAfterTheStartAsAnErrorEvent() {
    events.chunk(chunk("{\"content\":\"Hi\"}", null));
    events.failed(Map.of("type", "error", "error", Map.of("type", "api_error", "message", "boom")));

    List<Event> written = written();
    assertThat(written.get(written.size() - 1).name()).isEqualTo("error");
    assertThat(written.get(written.size() - 1).data().at("/error/type").asText()).isEqualTo("api_error");
  }

  private ObjectNode chunk(String delta, String finishReason) {
    try {
      ObjectNode chunk = (ObjectNode) json.readTree("{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\","
          + "\"choices\":[{\"index\":0,\"delta\":" + delta + "}]}");
      if (finishReason != null) {
        ((ObjectNode) chunk.get("choices").get(0)).put("finish_reason", finishReason);
      }
      return chunk;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private record Event(String name, JsonNode data) {
  }

  private List<Event> written() {
    String wire = String.join("", stream.body(Duration.ofHours(1)).map(frame -> new String(frame, java.nio.charset.StandardCharsets.UTF_8)).collectList().block(Duration.ofSeconds(5)));
    List<Event> events = new ArrayList<>();
    for (String frame : wire.split("\n\n")) {
      String[] lines = frame.split("\n");
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      try {
        events.add(new Event(lines[0].substring(7), json.readTree(lines[1].substring(6))));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return events;
  }
}
