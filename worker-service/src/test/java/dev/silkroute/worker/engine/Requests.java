package dev.silkroute.worker.engine;

import java.util.List;
import java.util.OptionalLong;

/** Test requests. */
public final class Requests {
  private Requests() {}

  public static GenerationRequest chat(String model, String prompt, int maxTokens) {
    return new GenerationRequest("gen-test", model, List.of(new ChatMessage("user", prompt)), maxTokens,
        null, null, OptionalLong.empty(), List.of());
  }

  public static GenerationRequest chat(String model, String prompt, int maxTokens, long seed) {
    return new GenerationRequest("gen-test", model, List.of(new ChatMessage("user", prompt)), maxTokens,
        null, null, OptionalLong.of(seed), List.of());
  }
}
