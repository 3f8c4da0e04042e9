package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The schema check itself must be able to fail, or the compatibility tests prove nothing. */
class OpenAiSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void rejectsWhatOpenAiWouldNotSend() throws Exception {
    assertThatThrownBy(() -> OpenAiSchemas.assertChatCompletion(JSON.readTree(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\"}"))).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> OpenAiSchemas.assertChatCompletionChunk(JSON.readTree(
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[]}")))
        .isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> OpenAiSchemas.assertError(JSON.readTree("{\"error\":{\"message\":\"m\"}}")))
        .isInstanceOf(AssertionError.class);
  }

  @Test
  void acceptsWhatOpenAiSends() {
    assertThatCode(() -> OpenAiSchemas.assertError(JSON.readTree(
        "{\"error\":{\"message\":\"m\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}")))
        .doesNotThrowAnyException();
  }
}
