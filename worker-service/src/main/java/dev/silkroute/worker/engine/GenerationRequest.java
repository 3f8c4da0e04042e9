package dev.silkroute.worker.engine;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What an engine is asked to generate. {@code maxTokens} is already resolved (the worker applies
 * its default when the caller gave none), so it is always positive.
 *
 * @param prefix            the router's hash chain of the prompt's leading blocks (see worker.proto's
 *                          {@code GenerateRequest.prefix}); empty when not given
 * @param prefixBlockTokens tokens each prefix block stands for; 0 when no prefix is given
 */
public record GenerationRequest(
    String requestId,
    String model,
    List<ChatMessage> messages,
    int maxTokens,
    Double temperature,
    Double topP,
    OptionalLong seed,
    List<String> stop,
    List<Long> prefix,
    int prefixBlockTokens) {

  /** Per-message framing tokens of a chat template (role markers, separators). */
  private static final int TOKENS_PER_MESSAGE = 4;

  public GenerationRequest {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(model, "model");
    messages = List.copyOf(messages);
    stop = List.copyOf(stop);
    prefix = prefix == null ? List.of() : List.copyOf(prefix);
    prefixBlockTokens = prefix.isEmpty() ? 0 : Math.max(1, prefixBlockTokens);
    Objects.requireNonNull(seed, "seed");
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("messages must not be empty");
    }
    if (maxTokens <= 0) {
      throw new IllegalArgumentException("maxTokens must be positive, was " + maxTokens);
    }
  }

  /** A request without a prompt prefix. */
  public GenerationRequest(String requestId, String model, List<ChatMessage> messages, int maxTokens,
                           Double temperature, Double topP, OptionalLong seed, List<String> stop) {
    this(requestId, model, messages, maxTokens, temperature, topP, seed, stop, List.of(), 0);
  }

  /**
   * Prompt size in tokens, estimated the way OpenAI's tokenizer guide does (about four characters of
   * English per token) plus chat-template framing. Good enough for admission and KV-cache sizing;
   * an engine that reports its real count overrides it in the usage.
   */
  public long estimatedPromptTokens() {
    long tokens = 0;
    for (ChatMessage m : messages) {
      tokens += TOKENS_PER_MESSAGE + (m.content().length() + 3) / 4;
    }
    return tokens;
  }

  /** KV-cache tokens this request can hold at its largest: the prompt plus every token it may generate. */
  public long worstCaseKvTokens() {
    return estimatedPromptTokens() + maxTokens;
  }
}
