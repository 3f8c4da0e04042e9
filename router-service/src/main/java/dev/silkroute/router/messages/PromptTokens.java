package dev.silkroute.router.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts the tokens of a prompt for {@code count_tokens}: every message's text and tool calls, and
 * the tool definitions, in o200k_base. An estimate for models with another tokenizer, as the router's
 * own estimates are; images count a flat amount, as their size is not known without decoding them.
 */
final class PromptTokens {

  /** Per message: role and separators, as OpenAI counts them. */
  private static final int PER_MESSAGE = 4;
  private static final int PER_IMAGE = 1_000;
  private static final Encoding ENCODING =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  private PromptTokens() {
  }

  /** @param chat the prompt as an OpenAI chat request ({@link AnthropicRequest#prompt}) */
  static long count(ObjectNode chat) {
    long tokens = 0;
    for (JsonNode message : chat.path("messages")) {
      tokens += PER_MESSAGE;
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        tokens += count(content.asText());
      }
      for (JsonNode part : content.isArray() ? content : chat.arrayNode()) {
        tokens += part.path("type").asText().equals("image_url") ? PER_IMAGE : count(part.path("text").asText(""));
      }
      for (JsonNode call : message.path("tool_calls")) {
        tokens += count(call.path("function").path("name").asText()) + count(call.path("function").path("arguments")
            .asText());
      }
    }
    for (JsonNode tool : chat.path("tools")) {
      tokens += count(tool.path("function").toString());
    }
    return tokens;
  }

  private static long count(String text) {
    return text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
  }
}
