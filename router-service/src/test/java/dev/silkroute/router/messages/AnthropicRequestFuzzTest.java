package dev.silkroute.router.messages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.api.ErrorShape;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mangled Messages bodies through the whole translation (Anthropic's request, then the
 * router's chat request parser): each is either served or refused with a 400 whose message starts
 * with the field at fault, in Anthropic's shape; never another exception, which the HTTP layer would
 * turn into a 500.
 */
class AnthropicRequestFuzzTest {

  static final String VALID = "{\"model\":\"deepseek/deepseek-chat-v3\",\"max_tokens\":64,\"stream\":false,"
      + "\"temperature\":0.5,\"top_p\":0.9,\"top_k\":5,\"stop_sequences\":[\"END\"],"
      + "\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"}],"
      + "\"metadata\":{\"user_id\":\"u1\"},"
      + "\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":{\"type\":\"object\","
      + "\"properties\":{\"city\":{\"type\":\"string\"}}}}],"
      + "\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true},"
      + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":32},"
      + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
      + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"AAAA\"}}]},"
      + "{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"hm\",\"signature\":\"s\"},"
      + "{\"type\":\"text\",\"text\":\"Let me look.\"},"
      + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Lisbon\"}}]},"
      + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"is_error\":false,"
      + "\"content\":[{\"type\":\"text\",\"text\":\"21C\"}]}]}]}";
  private static final String[] REPLACEMENTS = {"null", "true", "-1", "0", "1e309", "\"\"", "[]", "{}", "\"x\"",
      "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "12345678901234567890123", "0.5", "[{}]", "[\"x\"]",
      "{\"type\":\"x\"}", "\"" + "a".repeat(10_000) + "\""};

  private final ObjectMapper json = new ObjectMapper();
  private final AnthropicRequest requests = new AnthropicRequest(json);
  private final ChatRequestParser parser = new ChatRequestParser(json);

  @Test
  void theValidBodyIsServed() {
    parser.parse(requests.toChat(requests.read(VALID.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void mangledBodiesAreAcceptedOrRefusedWith400NamingTheFieldNeverAnythingElse() {
    Random random = new Random(20261206);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      String body = mangle(VALID, random);
      try {
        if (i % 2 == 0) {
          parser.parse(requests.toChat(requests.read(body.getBytes(StandardCharsets.UTF_8))));
        } else {
          PromptTokens.count(requests.prompt(requests.read(body.getBytes(StandardCharsets.UTF_8)), false));
        }
      } catch (RouterException e) {
        assertThat(e.error().kind()).as(body).isEqualTo(ErrorKind.INVALID_REQUEST);
        if (e.error().param() != null) {
          assertThat(e.error().message()).as(body).startsWith(e.error().param() + ":");
        }
        Map<String, Object> shaped = ErrorShape.ANTHROPIC.body(e.error());
        assertThat(shaped).containsEntry("type", "error");
        assertThat(((Map<?, ?>) shaped.get("error")).get("type")).isEqualTo("invalid_request_error");
        refused++;
      }
    }
    assertThat(refused).as("the fuzzer must actually break bodies").isGreaterThan(5_000);
  }

  /** One to three of: cut the text, flip a byte, drop a span, or put an odd JSON value where a value was. */
  static String mangle(String valid, Random random) {
    String text = valid;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(5)) {
        case 0 -> text = text.substring(0, at);
        case 1 -> text = text.substring(0, at) + (char) (32 + random.nextInt(95))
            + text.substring(Math.min(text.length(), at + 1));
        case 2 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
        default -> {
          int colon = text.indexOf(':', at);
          if (colon > 0) {
            int end = colon + 1;
            int depth = 0;
            // The whole value after the colon, nested ones included.
            while (end < text.length() && (depth > 0 || ",}]".indexOf(text.charAt(end)) < 0)) {
              char c = text.charAt(end);
              depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
              end++;
            }
            text = text.substring(0, colon + 1) + REPLACEMENTS[random.nextInt(REPLACEMENTS.length)]
                + text.substring(end);
          }
        }
      }
      if (text.isEmpty()) {
        break;
      }
    }
    return text;
  }
}
