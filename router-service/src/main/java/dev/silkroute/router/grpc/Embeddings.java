package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.EmbedRequest;
import dev.silkroute.proto.v1.EmbedResponse;
import dev.silkroute.proto.v1.Embedding;
import dev.silkroute.proto.v1.Usage;
import java.math.BigDecimal;

/**
 * Embed's two translations: the request into the OpenAI JSON an HTTP client would send (so the same
 * parser checks it and names the same fields), and the router's JSON answer into an
 * {@link EmbedResponse}. Vectors travel as floats: gRPC needs no base64.
 */
final class Embeddings {

  private final ObjectMapper json;
  private final ChatRequestJson chat;

  Embeddings(ObjectMapper json, ChatRequestJson chat) {
    this.json = json;
    this.chat = chat;
  }

  ObjectNode toOpenAi(EmbedRequest request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.getModel());
    ArrayNode input = body.putArray("input");
    request.getInputList().forEach(input::add);
    if (request.hasDimensions()) {
      body.put("dimensions", request.getDimensions());
    }
    if (!request.getUser().isEmpty()) {
      body.put("user", request.getUser());
    }
    if (request.getModelsCount() > 0) {
      ArrayNode models = body.putArray("models");
      request.getModelsList().forEach(models::add);
    }
    if (request.hasProvider()) {
      body.set("provider", chat.provider(request.getProvider()));
    }
    return body;
  }

  static EmbedResponse response(ObjectNode answer) {
    EmbedResponse.Builder response = EmbedResponse.newBuilder()
        .setId(answer.path("id").asText())
        .setModel(answer.path("model").asText())
        .setProvider(answer.path("provider").asText());
    for (JsonNode item : answer.path("data")) {
      Embedding.Builder vector = Embedding.newBuilder().setIndex(item.path("index").asInt());
      item.path("embedding").forEach(value -> vector.addEmbedding(value.floatValue()));
      response.addData(vector);
    }
    JsonNode usage = answer.path("usage");
    long tokens = usage.path("prompt_tokens").asLong();
    response.setUsage(Usage.newBuilder().setPromptTokens(tokens).setTotalTokens(tokens)
        .setCostMicros(new BigDecimal(usage.path("cost").asText("0")).movePointRight(6).longValue()));
    return response.build();
  }
}
