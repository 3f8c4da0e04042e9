package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.WorkerMessage;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.routing.PromptPrefix;

/**
 * OpenAI's chat request as a worker's {@link GenerateRequest}: message text (text parts of
 * multi-part contents joined; images, tools and the rest are not worker features), max_tokens,
 * temperature, top_p, seed and stop, and the prompt's {@link PromptPrefix} (so that the worker's prefix
 * cache knows its leading blocks by the names routing uses). Range checks are the worker's (INVALID_ARGUMENT).
 */
final class GenerateRequests {

  private GenerateRequests() {
  }

  static GenerateRequest of(ChatRequest request, String model) {
    JsonNode body = request.body();
    GenerateRequest.Builder out = GenerateRequest.newBuilder().setModel(model);
    for (JsonNode message : body.path("messages")) {
      out.addMessages(WorkerMessage.newBuilder()
          .setRole(message.path("role").asText("user"))
          .setContent(text(message.path("content"))));
    }
    // 0 = the worker's default; a cap beyond int range is no cap at all.
    request.maxTokens().ifPresent(max -> out.setMaxTokens((int) Math.min(max, Integer.MAX_VALUE)));
    if (body.path("temperature").isNumber()) {
      out.setTemperature(body.get("temperature").asDouble());
    }
    if (body.path("top_p").isNumber()) {
      out.setTopP(body.get("top_p").asDouble());
    }
    if (body.path("seed").isIntegralNumber()) {
      out.setSeed(body.get("seed").asLong());
    }
    JsonNode stop = body.path("stop");
    if (stop.isTextual()) {
      out.addStop(stop.asText());
    } else if (stop.isArray()) {
      stop.forEach(s -> out.addStop(s.asText()));
    }
    PromptPrefix prefix = PromptPrefix.of(body);
    if (!prefix.isEmpty()) {
      for (int i = 0; i < prefix.blocks(); i++) {
        out.addPrefix(prefix.hash(i));
      }
      out.setPrefixBlockTokens(PromptPrefix.BLOCK_TOKENS);
    }
    return out.build();
  }

  private static String text(JsonNode content) {
    if (content.isTextual()) {
      return content.asText();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      if ("text".equals(part.path("type").asText())) {
        text.append(part.path("text").asText());
      }
    }
    return text.toString();
  }
}
