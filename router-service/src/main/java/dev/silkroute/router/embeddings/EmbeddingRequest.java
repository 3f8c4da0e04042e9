package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.ChatRequest;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A validated embeddings request ({@code POST /v1/embeddings}).
 *
 * @param model      the requested model id, "author/slug" (a variant suffix allowed, as for chat)
 * @param inputs     how many texts to embed (a string counts as one)
 * @param inputChars characters of all texts, for the token estimate of the rate limit
 * @param inputBytes UTF-8 bytes of all texts: no tokenizer makes more tokens than bytes, so this
 *                   bounds the prompt tokens the request can be billed
 * @param dimensions the vector size asked for, when given (checked against the model when routed)
 * @param body       the client's JSON as sent; the upstream gets it without the router's fields
 */
public record EmbeddingRequest(String model, int inputs, long inputChars, long inputBytes, OptionalInt dimensions,
                               ObjectNode body) {

  /** Fields that steer the router, never sent upstream. */
  static final Set<String> ROUTER_FIELDS = Set.of("models", "provider", "route", "transforms", "session_id");

  /**
   * The request as routing reads it: the model, its {@code models[]} fallbacks and {@code provider}
   * preferences, and, for {@code provider.require_parameters}, the parameters asked for
   * ({@code dimensions}, {@code encoding_format}). The texts stay out: they are no parameter.
   */
  public ChatRequest routing() {
    ObjectNode view = body.objectNode();
    for (String field : new String[] {"model", "models", "provider", "dimensions", "encoding_format"}) {
      if (body.has(field)) {
        view.set(field, body.get(field));
      }
    }
    return new ChatRequest(model, false, OptionalLong.empty(), view, inputChars);
  }
}
