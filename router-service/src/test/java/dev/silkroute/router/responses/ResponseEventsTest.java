package dev.silkroute.router.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.OpenAiSchemas;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseEventsTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T04:00:00Z"), ZoneOffset.UTC);
  private static final String USAGE = "{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":\"a/b\","
      + "\"provider\":\"deepseek\",\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3,"
      + "\"total_tokens\":10,\"cost\":0.000021,\"prompt_tokens_details\":{\"cached_tokens\":2},"
      + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}";

  private final List<JsonNode> events = new ArrayList<>();
  private final List<Boolean> held = new ArrayList<>();
  private boolean ended;

  private ResponseEvents events(String body) throws Exception {
    ResponsesRequest request = ResponsesRequest.from((ObjectNode) JSON.readTree(body));
    return new ResponseEvents(request, "gen-1", new ResponseEvents.Sink() {
      @Override
      public void event(String type, ObjectNode data, boolean more) {
        assertThat(data.get("type").asText()).isEqualTo(type);
        events.add(data);
        held.add(more);
      }

      @Override
      public void end() {
        ended = true;
      }
    }, CLOCK);
  }

  private static ObjectNode chunk(String delta, String finish) throws Exception {
    return (ObjectNode) JSON.readTree("{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":\"a/b\","
        + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finish + "}]}");
  }

  private List<String> types() {
    return events.stream().map(e -> e.get("type").asText()).toList();
  }

  @Test
  void aTextAnswerStreamsAsTheResponsesEventSequence() throws Exception {
    ResponseEvents out = events("{\"model\":\"a/b\",\"input\":\"Hi\",\"stream\":true}");
    out.chunk(chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null"));
    out.chunk(chunk("{\"content\":\"Hel\"}", "null"), true);
    out.chunk(chunk("{\"content\":\"lo\"}", "null"));
    out.chunk(chunk("{}", "\"stop\""));
    out.chunk((ObjectNode) JSON.readTree(USAGE));
    out.done();

    assertThat(types()).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.content_part.added", "response.output_text.delta", "response.output_text.delta",
        "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed");
    assertThat(events).extracting(e -> e.get("sequence_number").asInt()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    events.forEach(OpenAiSchemas::assertResponseEvent);
    assertThat(ended).isTrue();
    // Events of a chunk held back ("more") go out together with the next chunk's.
    assertThat(held.subList(0, 5)).containsExactly(true, false, true, true, true);
    JsonNode completed = events.get(9).get("response");
    assertThat(completed.get("status").asText()).isEqualTo("completed");
    assertThat(completed.at("/output/0/content/0/text").asText()).isEqualTo("Hello");
    assertThat(completed.at("/usage/input_tokens").asInt()).isEqualTo(7);
    assertThat(completed.at("/usage/input_tokens_details/cached_tokens").asInt()).isEqualTo(2);
    assertThat(completed.at("/usage/total_tokens").asInt()).isEqualTo(10);
    assertThat(completed.at("/usage/cost").decimalValue()).isEqualByComparingTo("0.000021");
    assertThat(completed.get("provider").asText()).isEqualTo("deepseek");
    assertThat(events.get(6).get("text").asText()).isEqualTo("Hello");
  }

  @Test
  void aToolCallStreamsAsAFunctionCallItemWithItsArguments() throws Exception {
    ResponseEvents out = events("{\"model\":\"a/b\",\"input\":\"Weather?\",\"stream\":true,"
        + "\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}]}");
    out.chunk(chunk("{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
        + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}", "null"));
    out.chunk(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}", "null"));
    out.chunk(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Xi'an\\\"}\"}}]}", "null"));
    out.chunk(chunk("{}", "\"tool_calls\""));
    out.chunk((ObjectNode) JSON.readTree(USAGE));
    out.done();

    assertThat(types()).containsExactly("response.created", "response.in_progress", "response.output_item.added",
        "response.function_call_arguments.delta", "response.function_call_arguments.delta",
        "response.function_call_arguments.done", "response.output_item.done", "response.completed");
    events.forEach(OpenAiSchemas::assertResponseEvent);
    JsonNode item = events.get(7).at("/response/output/0");
    assertThat(item.get("type").asText()).isEqualTo("function_call");
    assertThat(item.get("call_id").asText()).isEqualTo("call_1");
    assertThat(item.get("name").asText()).isEqualTo("get_weather");
    assertThat(item.get("arguments").asText()).isEqualTo("{\"city\":\"Xi'an\"}");
    assertThat(events.get(5).get("arguments").asText()).isEqualTo("{\"city\":\"Xi'an\"}");
  }

  @Test
  void theSchemaCheckRefusesAnEventOpenAisSpecDoesNot() throws Exception {
    ResponseEvents out = events("{\"model\":\"a/b\",\"input\":\"Hi\",\"stream\":true}");
    out.chunk(chunk("{\"content\":\"Hi\"}", "null"));
    ObjectNode delta = (ObjectNode) events.get(4).deepCopy();
    delta.remove("logprobs");
    ObjectNode created = (ObjectNode) events.get(0).deepCopy();
    ((ObjectNode) created.get("response")).remove("tools");

    assertThatThrownBy(() -> OpenAiSchemas.assertResponseEvent(delta)).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> OpenAiSchemas.assertResponseEvent(created)).isInstanceOf(AssertionError.class);
  }

  @Test
  void anAnswerCutAtTheTokenLimitEndsIncomplete() throws Exception {
    ResponseEvents out = events("{\"model\":\"a/b\",\"input\":\"Hi\",\"stream\":true,\"max_output_tokens\":1}");
    out.chunk(chunk("{\"content\":\"Hel\"}", "null"));
    out.chunk(chunk("{}", "\"length\""));
    out.chunk((ObjectNode) JSON.readTree(USAGE));
    out.done();

    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("response.incomplete");
    assertThat(last.at("/response/incomplete_details/reason").asText()).isEqualTo("max_output_tokens");
    assertThat(last.at("/response/output/0/status").asText()).isEqualTo("incomplete");
    events.forEach(OpenAiSchemas::assertResponseEvent);
  }

  @Test
  void anErrorChunkAfterTheFirstTokenEndsWithResponseFailed() throws Exception {
    ResponseEvents out = events("{\"model\":\"a/b\",\"input\":\"Hi\",\"stream\":true}");
    out.chunk(chunk("{\"content\":\"Hel\"}", "null"));
    out.chunk((ObjectNode) JSON.readTree("{\"id\":\"gen-1\",\"object\":\"chat.completion.chunk\",\"model\":\"a/b\","
        + "\"error\":{\"message\":\"provider's stream stalled\",\"type\":\"upstream_error\",\"code\":\"provider_error\"},"
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"error\"}]}"));
    out.chunk((ObjectNode) JSON.readTree(USAGE));
    out.done();

    JsonNode last = events.get(events.size() - 1);
    assertThat(last.get("type").asText()).isEqualTo("response.failed");
    assertThat(last.at("/response/status").asText()).isEqualTo("failed");
    assertThat(last.at("/response/error/message").asText()).isEqualTo("provider's stream stalled");
    assertThat(last.at("/response/usage/output_tokens").asInt()).isEqualTo(3);
    events.forEach(OpenAiSchemas::assertResponseEvent);
    assertThat(ended).isTrue();
  }
}
