package dev.silkroute.router.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagesRequestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final MessagesRequest messages = new MessagesRequest(JSON, 4096);

  private JsonNode translate(String openAi) {
    return messages.translate(new ChatRequestParser(JSON).parse(openAi.getBytes(StandardCharsets.UTF_8)),
        "claude-x", false);
  }

  @Test
  void turnsImagePartsIntoBase64AndUrlSources() {
    JsonNode body = translate("""
        {"model": "a/b", "messages": [{"role": "user", "content": [
          {"type": "text", "text": "what is this?"},
          {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
          {"type": "image_url", "image_url": {"url": "https://example.com/cat.jpg", "detail": "low"}}]}]}""");

    JsonNode content = body.at("/messages/0/content");
    assertThat(content.get(0).path("text").asText()).isEqualTo("what is this?");
    assertThat(content.get(1).toString()).isEqualTo(
        "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}}");
    assertThat(content.get(2).toString()).isEqualTo(
        "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}}");
  }

  @Test
  void putsConsecutiveToolResultsIntoTheUserTurnAfterTheToolCalls() {
    JsonNode body = translate("""
        {"model": "a/b", "messages": [
          {"role": "user", "content": "weather in Paris and Rome?"},
          {"role": "assistant", "content": "Checking.", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{\\"city\\":\\"Paris\\"}"}},
            {"id": "c2", "type": "function", "function": {"name": "w", "arguments": "{\\"city\\":\\"Rome\\"}"}}]},
          {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
          {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "rain"}]},
          {"role": "user", "content": "thanks"}]}""");

    JsonNode turns = body.path("messages");
    assertThat(turns).hasSize(3);
    assertThat(turns.at("/1/content/0/text").asText()).isEqualTo("Checking.");
    assertThat(turns.at("/1/content/1/type").asText()).isEqualTo("tool_use");
    assertThat(turns.at("/1/content/2/input/city").asText()).isEqualTo("Rome");
    assertThat(turns.at("/2/role").asText()).isEqualTo("user");
    assertThat(turns.at("/2/content/0/tool_use_id").asText()).isEqualTo("c1");
    assertThat(turns.at("/2/content/0/content/0/text").asText()).isEqualTo("sunny");
    assertThat(turns.at("/2/content/1/tool_use_id").asText()).isEqualTo("c2");
    assertThat(turns.at("/2/content/2/text").asText()).isEqualTo("thanks");
  }

  @Test
  void mapsToolsAndToolChoice() {
    JsonNode body = translate("""
        {"model": "a/b", "messages": [{"role": "user", "content": "hi"}], "parallel_tool_calls": false,
         "tools": [{"type": "function", "function": {"name": "w", "description": "weather",
           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
         "tool_choice": "required"}""");

    assertThat(body.at("/tools/0/name").asText()).isEqualTo("w");
    assertThat(body.at("/tools/0/description").asText()).isEqualTo("weather");
    assertThat(body.at("/tools/0/input_schema/properties/city/type").asText()).isEqualTo("string");
    assertThat(body.path("tool_choice").toString()).isEqualTo("{\"type\":\"any\",\"disable_parallel_tool_use\":true}");
  }

  @Test
  void forcesANamedFunctionAndDropsToolChoiceWithoutTools() {
    JsonNode named = translate("""
        {"model": "a/b", "messages": [{"role": "user", "content": "hi"}],
         "tools": [{"type": "function", "function": {"name": "w"}}],
         "tool_choice": {"type": "function", "function": {"name": "w"}}}""");
    JsonNode none = translate("""
        {"model": "a/b", "messages": [{"role": "user", "content": "hi"}], "tool_choice": "none"}""");

    assertThat(named.path("tool_choice").toString()).isEqualTo("{\"type\":\"tool\",\"name\":\"w\"}");
    assertThat(named.at("/tools/0/input_schema/type").asText()).isEqualTo("object");
    assertThat(none.has("tool_choice")).isFalse();
  }

  @Test
  void usesTheClientsLimitOrTheDefaultAndPassesSampling() {
    JsonNode capped = translate("""
        {"model": "a/b", "max_tokens": 77, "top_p": 0.5, "stop": ["x", "y"], "user": "u-1",
         "messages": [{"role": "user", "content": "hi"}]}""");
    JsonNode uncapped = translate("""
        {"model": "a/b", "messages": [{"role": "user", "content": "hi"}]}""");

    assertThat(capped.path("max_tokens").asLong()).isEqualTo(77);
    assertThat(capped.path("top_p").asDouble()).isEqualTo(0.5);
    assertThat(capped.path("stop_sequences").toString()).isEqualTo("[\"x\",\"y\"]");
    assertThat(capped.at("/metadata/user_id").asText()).isEqualTo("u-1");
    assertThat(uncapped.path("max_tokens").asLong()).isEqualTo(4096);
    assertThat(uncapped.has("temperature")).isFalse();
  }

  @Test
  void rejectsToolCallArgumentsThatAreNotAJsonObjectNamingTheField() {
    assertThatThrownBy(() -> translate("""
        {"model": "a/b", "messages": [{"role": "assistant", "tool_calls": [
          {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "not json"}}]}]}"""))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
          assertThat(e.error().param()).isEqualTo("messages[0].tool_calls[0].function.arguments");
        });
  }
}
