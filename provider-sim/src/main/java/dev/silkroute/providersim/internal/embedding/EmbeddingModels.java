package dev.silkroute.providersim.internal.embedding;

import java.util.Locale;
import java.util.Map;

/**
 * The native vector size of the embedding models the simulator knows by name, as their makers
 * publish them; any other model name gets {@value #DEFAULT_DIMENSIONS}. Matched on the name after
 * its last '/', ignoring case, so {@code Qwen/Qwen3-Embedding-8B} and {@code qwen3-embedding-8b} agree.
 */
public final class EmbeddingModels {

  public static final int DEFAULT_DIMENSIONS = 1024;

  private static final Map<String, Integer> KNOWN = Map.ofEntries(
      Map.entry("text-embedding-3-small", 1536),
      Map.entry("text-embedding-3-large", 3072),
      Map.entry("text-embedding-ada-002", 1536),
      Map.entry("qwen3-embedding-8b", 4096),
      Map.entry("qwen3-embedding-4b", 2560),
      Map.entry("qwen3-embedding-0.6b", 1024),
      Map.entry("text-embedding-v4", 1024),
      Map.entry("bge-m3", 1024),
      Map.entry("bge-large-en-v1.5", 1024),
      Map.entry("nomic-embed-text-v1.5", 768),
      Map.entry("all-minilm-l6-v2", 384));

  private EmbeddingModels() {}

  public static int dimensions(String model) {
    String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return KNOWN.getOrDefault(name, DEFAULT_DIMENSIONS);
  }
}
