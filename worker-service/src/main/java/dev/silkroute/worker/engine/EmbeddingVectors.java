package dev.silkroute.worker.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated engine's embeddings, made as provider-sim makes them (same seed, same vectors): the
 * same model and text always give the same unit vector; a vector cut to fewer dimensions is the prefix
 * of the full one, normalised again (Matryoshka models). A model's native size is its maker's when
 * known by name, else {@value #DEFAULT_DIMENSIONS}.
 */
public final class EmbeddingVectors {

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

  private EmbeddingVectors() {}

  /** The model's native vector size, matched on the name after its last '/', ignoring case. */
  public static int dimensions(String model) {
    String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    return KNOWN.getOrDefault(name, DEFAULT_DIMENSIONS);
  }

  /** A unit vector of {@code dimensions} components for {@code text} under {@code model}. */
  public static float[] of(String model, String text, int dimensions) {
    SplittableRandom random = new SplittableRandom(seed(model, text));
    double[] values = new double[dimensions];
    double norm = 0;
    for (int i = 0; i < dimensions; i++) {
      values[i] = random.nextDouble(-1, 1);
      norm += values[i] * values[i];
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[dimensions];
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (norm == 0 ? 0 : values[i] / norm);
    }
    return vector;
  }

  private static long seed(String model, String text) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(model.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      byte[] digest = sha.digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
