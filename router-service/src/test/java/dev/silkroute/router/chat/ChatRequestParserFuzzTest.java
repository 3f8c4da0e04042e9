package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mangled request bodies: each one is either a valid request or a 400 naming what is
 * wrong; never another exception (which the HTTP layer would turn into a 500).
 */
class ChatRequestParserFuzzTest {

  private static final String VALID = "{\"model\":\"deepseek/deepseek-chat-v3\",\"stream\":true,\"max_tokens\":64,"
      + "\"temperature\":0.7,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"system\","
      + "\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"},"
      + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]},{\"role\":\"assistant\","
      + "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
      + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}],\"provider\":{\"sort\":\"price\"}}";
  private static final String[] REPLACEMENTS = {"null", "true", "-1", "0", "1e309", "\"\"", "[]", "{}", "\"x\"",
      "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "12345678901234567890123", "\"" + "a".repeat(10_000) + "\""};

  private final ChatRequestParser parser = new ChatRequestParser(new ObjectMapper());

  @Test
  void mangledBodiesAreAcceptedOrRefusedWith400NeverAnythingElse() {
    Random random = new Random(20261123);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] body = mangle(VALID, random);
      try {
        parser.parse(body);
      } catch (RouterException e) {
        assertThat(e.error().kind()).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.error().message()).isNotBlank();
        refused++;
      }
    }
    assertThat(refused).as("the fuzzer must actually break bodies").isGreaterThan(5_000);
  }

  @Test
  void deeplyNestedAndInvalidUtf8BodiesAreRefusedWith400() {
    byte[] deep = ("{\"model\":\"a/b\",\"messages\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] badUtf8 = {'{', '"', 'm', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

    for (byte[] body : new byte[][] {deep, badUtf8, new byte[0], {(byte) 0xFF, (byte) 0xFE}}) {
      try {
        parser.parse(body);
      } catch (RouterException e) {
        assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        continue;
      }
      throw new AssertionError("accepted a body it should refuse");
    }
  }

  /** One of: cut the text, flip a byte, drop a span, or put an odd JSON value where a value was. */
  private static byte[] mangle(String valid, Random random) {
    String text = valid;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(4)) {
        case 0 -> text = text.substring(0, at);
        case 1 -> text = text.substring(0, at) + (char) (32 + random.nextInt(95)) + text.substring(Math.min(text.length(), at + 1));
        case 2 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
        default -> {
          int colon = text.indexOf(':', at);
          if (colon > 0) {
            int end = colon + 1;
            while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) {
              end++;
            }
            text = text.substring(0, colon + 1) + REPLACEMENTS[random.nextInt(REPLACEMENTS.length)] + text.substring(end);
          }
        }
      }
      if (text.isEmpty()) {
        break;
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
