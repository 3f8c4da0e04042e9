package dev.silkroute.providersim.internal.embedding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.SplittableRandom;

/**
 * Deterministic stand-in embeddings: the same model and text always give the same unit vector, and
 * different texts give (almost surely) different ones. A vector cut to fewer dimensions is the
 * prefix of the full one, normalised again, as Matryoshka-trained models (OpenAI's
 * text-embedding-3, Qwen3 embedding) behave.
 */
public final class EmbeddingVectors {

  private EmbeddingVectors() {}

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

  /** OpenAI's {@code encoding_format: base64}: the float32 values, little-endian, in base64. */
  public static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : vector) {
      bytes.putFloat(value);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
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
