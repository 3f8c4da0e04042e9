package dev.silkroute.router.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * The leading blocks of a prompt (its messages in order: the system prompt and the earliest turns
 * first) as a hash chain, the names of the KV blocks an engine's prefix cache keeps:
 * {@code hashes[i]} stands for the prompt up to the end of block {@code i}, so two prompts that agree on
 * their first {@code k} blocks agree on their first {@code k} hashes. Blocks are {@value #BLOCK_CHARS}
 * characters, about {@value #BLOCK_TOKENS} tokens at four characters a token; only whole blocks count
 * (an engine caches whole KV blocks), at most {@value #MAX_BLOCKS}.
 */
public final class PromptPrefix {

  public static final int BLOCK_TOKENS = 256;
  static final int BLOCK_CHARS = BLOCK_TOKENS * 4;
  static final int MAX_BLOCKS = 64;
  public static final PromptPrefix NONE = new PromptPrefix(new long[0]);

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final long[] hashes;

  private PromptPrefix(long[] hashes) {
    this.hashes = hashes;
  }

  /**
   * The prefix of an OpenAI-shaped chat request body: its {@code messages}, and only them. A worker is
   * sent the messages alone (tools are no worker feature), so its KV cache holds nothing else; blocks
   * of the tools would have been counted as cached tokens of a prompt that never contained them.
   */
  public static PromptPrefix of(JsonNode body) {
    Chain chain = new Chain();
    for (JsonNode message : body.path("messages")) {
      if (chain.full()) {
        break;
      }
      chain.add(message.path("role").asText(""));
      chain.add("\n");
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        chain.add(content.asText());
      } else if (content.isArray()) {
        for (JsonNode part : content) {
          chain.add(part.path("text").asText(""));
        }
      }
      chain.add("\n");
    }
    return chain.blocks == 0 ? NONE : new PromptPrefix(Arrays.copyOf(chain.hashes, chain.blocks));
  }

  /** Whole blocks. */
  public int blocks() {
    return hashes.length;
  }

  /** The hash of the prompt up to the end of block {@code i}. */
  public long hash(int i) {
    return hashes[i];
  }

  public boolean isEmpty() {
    return hashes.length == 0;
  }

  /** Tokens that {@code blocks} leading blocks stand for. */
  public static long tokens(int blocks) {
    return (long) blocks * BLOCK_TOKENS;
  }

  /** FNV-1a over the characters, block by block; each block's hash goes on from the one before. */
  private static final class Chain {
    final long[] hashes = new long[MAX_BLOCKS];
    int blocks;
    long hash = FNV_OFFSET;
    int inBlock;

    boolean full() {
      return blocks == MAX_BLOCKS;
    }

    void add(String text) {
      for (int i = 0; i < text.length() && blocks < MAX_BLOCKS; i++) {
        hash = (hash ^ text.charAt(i)) * FNV_PRIME;
        if (++inBlock == BLOCK_CHARS) {
          hashes[blocks++] = hash;
          inBlock = 0;
        }
      }
    }
  }
}
