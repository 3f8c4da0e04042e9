package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.silkroute.router.provider.TokenUsage;

/**
 * Counts tokens when a provider reported none, because its stream was cut or the client went away:
 * what was generated is still billed. o200k_base is a stand-in for every model's own tokenizer;
 * the usage event says the figures are estimates.
 */
final class TokenEstimator {

  /** Per message: role and separators, as OpenAI counts them. */
  private static final int PER_MESSAGE = 4;
  private static final Encoding ENCODING =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

  private TokenEstimator() {
  }

  static TokenUsage estimate(JsonNode request, String generated) {
    long prompt = 0;
    for (JsonNode message : request.path("messages")) {
      prompt += PER_MESSAGE + count(text(message.get("content")));
    }
    return new TokenUsage(prompt, count(generated), 0, 0);
  }

  private static long count(String text) {
    return text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
  }

  private static String text(JsonNode content) {
    if (content == null || content.isNull()) {
      return "";
    }
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder parts = new StringBuilder();
    content.forEach(part -> parts.append(part.path("text").asText("")));
    return parts.toString();
  }
}
