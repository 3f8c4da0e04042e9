package dev.silkroute.worker.engine;

import java.util.List;
import java.util.OptionalInt;

/**
 * Texts to embed with a model the worker serves.
 *
 * @param dimensions the vector size asked for; empty: the model's own
 */
public record EmbeddingRequest(String requestId, String model, List<String> inputs, OptionalInt dimensions) {
  public EmbeddingRequest {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("at least one input");
    }
  }

  /** Tokens of all inputs, estimated as for prompts (about four characters a token, at least one each). */
  public long estimatedPromptTokens() {
    long tokens = 0;
    for (String input : inputs) {
      tokens += Math.max(1, (input.length() + 3) / 4);
    }
    return tokens;
  }
}
