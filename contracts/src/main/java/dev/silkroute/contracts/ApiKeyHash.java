package dev.silkroute.contracts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How an API key is named wherever it is stored: the SHA-256 of the whole key string (UTF-8) in
 * lowercase hex. PostgreSQL, Redis ({@link RedisKeys#apiKey}) and the change announcements only ever
 * hold this; the key itself is shown to its owner once and never stored or logged.
 */
public final class ApiKeyHash {

  private ApiKeyHash() {
  }

  /** 64 lowercase hex characters. */
  public static String sha256Hex(String key) {
    return HexFormat.of().formatHex(SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  // One digest per thread: the router hashes the key of every request, and looking the algorithm up
  // among the security providers costs more than hashing a key. digest() resets it for the next use.
  private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  });
}
