package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChatRequestParserTest {

  private final ChatRequestParser parser = new ChatRequestParser(new ObjectMapper());

  @Test
  void acceptsAMinimalRequest() {
    ChatRequest request = parse("{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],"
        + "\"max_tokens\":7,\"stream\":true}");

    assertThat(request.model()).isEqualTo("a/b");
    assertThat(request.stream()).isTrue();
    assertThat(request.maxTokens()).hasValue(7);
    assertThat(request.promptChars()).isEqualTo(5);
  }

  @Test
  void acceptsAnAssistantToolCallWithoutContentAndContentParts() {
    ChatRequest request = parse("{\"model\":\"a/b\",\"messages\":["
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abc\"}]},"
        + "{\"role\":\"assistant\",\"tool_calls\":[]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"{}\"}]}");

    assertThat(request.promptChars()).isEqualTo(5);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
    "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}                 | model",
    "{\"model\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}     | model",
    "{\"model\":\"a/b\"}                                                   | messages",
    "{\"model\":\"a/b\",\"messages\":[]}                                   | messages",
    "{\"model\":\"a/b\",\"messages\":{}}                                   | messages",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"bot\",\"content\":\"x\"}]} | messages[0].role",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\"}]}                  | messages[0].content",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":7}]}     | messages[0].content",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]} | messages[0].content[0].text",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]} | messages[0].tool_call_id",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"} | stream",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0} | max_tokens",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1.5} | max_tokens",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3} | temperature",
    "{\"model\":\"a/b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{}} | stream_options",
  })
  void namesTheFieldAtFault(String body, String param) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
          assertThat(e.error().param()).isEqualTo(param);
        });
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"{\"model\":", "[1,2]", "null", "''", "\"text\""})
  void rejectsBodiesThatAreNotAJsonObject(String body) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST));
  }

  private ChatRequest parse(String body) {
    return parser.parse(body.getBytes(StandardCharsets.UTF_8));
  }
}
