package dev.silkroute.worker.engine;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.SplittableRandom;

/**
 * Text the simulated engine "generates": one word per token, drawn from a generator seeded by a
 * hash of model, messages and seed, so the same request always gets the same answer of the same
 * natural length, and tests and benchmarks are reproducible.
 */
final class DeterministicText {
  private static final String[] WORDS = (
      "the model routes tokens across silk roads where caravans of GPUs trade latency for price "
          + "and every request finds a worker that answers in time while queues stay short and caches "
          + "stay warm so that open weights serve many users at a fair cost per million tokens").split(" ");
  /** Natural answers are between these lengths, tokens. */
  static final int MIN_LENGTH = 16;
  static final int MAX_LENGTH = 256;

  private final SplittableRandom random;
  private final int naturalLength;

  DeterministicText(GenerationRequest request) {
    this.random = new SplittableRandom(seedOf(request));
    this.naturalLength = MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
  }

  /** Tokens after which the model would stop on its own. */
  int naturalLength() {
    return naturalLength;
  }

  /** The next token's text; the first has no leading space. */
  String next(boolean first) {
    String word = WORDS[random.nextInt(WORDS.length)];
    return first ? word : " " + word;
  }

  private static long seedOf(GenerationRequest request) {
    MessageDigest sha = sha256();
    update(sha, request.model());
    for (ChatMessage m : request.messages()) {
      update(sha, m.role());
      update(sha, m.content());
    }
    update(sha, request.seed().isPresent() ? Long.toString(request.seed().getAsLong()) : "-");
    byte[] digest = sha.digest();
    long seed = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      seed = (seed << 8) | (digest[i] & 0xff);
    }
    return seed;
  }

  private static void update(MessageDigest sha, String s) {
    sha.update(s.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0); // separator: ("ab","c") and ("a","bc") must differ
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
