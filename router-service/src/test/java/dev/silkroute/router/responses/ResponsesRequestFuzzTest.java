package dev.silkroute.router.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Thousands of mangled Responses request bodies, through the route's whole reading (JSON, the
 * translation, the chat request the exchange gets): each one is a valid request or a 400 that names
 * a field of the Responses request (never one of the chat request it was translated into); never
 * another exception, which the HTTP layer would turn into a 500.
 */
class ResponsesRequestFuzzTest {

  private static final String VALID = "{\"model\":\"deepseek/deepseek-chat-v3\",\"stream\":true,\"max_output_tokens\":64,"
      + "\"temperature\":0.7,\"top_p\":0.9,\"instructions\":\"Be brief.\",\"store\":false,\"metadata\":{\"k\":\"v\"},"
      + "\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"Hi\"},"
      + "{\"type\":\"input_image\",\"image_url\":\"data:image/png;base64,AAAA\",\"detail\":\"auto\"}]},"
      + "{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Hello\"}]},"
      + "{\"type\":\"function_call\",\"call_id\":\"c1\",\"name\":\"f\",\"arguments\":\"{}\"},"
      + "{\"type\":\"function_call_output\",\"call_id\":\"c1\",\"output\":\"42\"}],"
      + "\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"description\":\"d\",\"strict\":true,"
      + "\"parameters\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"},"
      + "\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"n\",\"schema\":{\"type\":\"object\"}},"
      + "\"verbosity\":\"low\"},\"reasoning\":{\"effort\":\"low\"},\"provider\":{\"sort\":\"price\"}}";
  private static final String[] REPLACEMENTS = {"null", "true", "false", "-1", "0", "1e309", "\"\"", "[]", "{}",
      "\"x\"", "[[[[[[[[[[]]]]]]]]]]", "\"\\ud800\"", "12345678901234567890123", "\"" + "a".repeat(10_000) + "\"",
      "{\"type\":\"web_search\"}", "[{}]", "\"auto\""};
  /** Required fields: named when missing. */
  private static final Set<String> REQUIRED = Set.of("model", "input");

  private static final ObjectMapper JSON = new ObjectMapper();
  private final ChatRequestParser parser = new ChatRequestParser(JSON);

  @Test
  void mangledBodiesAreAcceptedOrRefusedWith400NamingAResponsesFieldNeverAnythingElse() {
    Random random = new Random(20261206);
    int refused = 0;
    for (int i = 0; i < 20_000; i++) {
      String body = mangle(VALID, random);
      Set<String> sent = new java.util.HashSet<>(REQUIRED);
      try {
        ObjectNode request = read(body);
        request.fieldNames().forEachRemaining(sent::add);
        parser.parse(ResponsesRequest.from(request).chat());
      } catch (RouterException e) {
        assertThat(e.error().kind()).as(body).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(e.error().message()).isNotBlank();
        if (e.error().param() != null) {
          // A field of the request as sent, never one of the chat request it became ("messages[3]").
          String param = e.error().param();
          String field = sent.contains(param) ? param : param.split("[.\\[]")[0];
          assertThat(field).as("%s for %s", e.error().message(), body).isIn(sent);
        }
        refused++;
      }
    }
    assertThat(refused).as("the fuzzer must actually break bodies").isGreaterThan(5_000);
  }

  /** Reads as the controller does: JSON that is not an object is a 400 there too. */
  private static ObjectNode read(String body) {
    JsonNode root;
    try {
      root = JSON.readTree(body.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw Fields.invalid("unparseable", null);
    }
    if (root == null || !root.isObject()) {
      throw Fields.invalid("not an object", null);
    }
    return (ObjectNode) root;
  }

  /** One of: cut the text, flip a byte, drop a span, or put an odd JSON value where a value was. */
  private static String mangle(String valid, Random random) {
    String text = valid;
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(text.length());
      switch (random.nextInt(4)) {
        case 0 -> text = text.substring(0, at);
        case 1 -> text = text.substring(0, at) + (char) (32 + random.nextInt(95))
            + text.substring(Math.min(text.length(), at + 1));
        case 2 -> text = text.substring(0, at) + text.substring(Math.min(text.length(), at + 1 + random.nextInt(20)));
        default -> {
          int colon = text.indexOf(':', at);
          if (colon > 0) {
            int end = colon + 1;
            while (end < text.length() && ",}]".indexOf(text.charAt(end)) < 0) {
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
