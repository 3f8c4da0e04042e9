package dev.silkroute.billing.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A newly generated API key: {@code sk-sr-v1-} + 64 lowercase hex (32 random bytes). Only its
 * SHA-256 is stored; the key itself is shown to the caller once.
 *
 * @param prefix the first {@value #PREFIX_LENGTH} characters, safe to display
 */
record ApiKeySecret(String key, String sha256Hex, String prefix) {

  static final String SCHEME = "sk-sr-v1-";
  static final int PREFIX_LENGTH = 12;

  static ApiKeySecret generate(RandomIds random) {
    String key = SCHEME + random.hex(32);
    return new ApiKeySecret(key, sha256Hex(key), key.substring(0, PREFIX_LENGTH));
  }

  /** SHA-256 of the whole key string (UTF-8), lowercase hex: how router and Redis name a key. */
  static String sha256Hex(String key) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "ApiKeySecret[prefix=" + prefix + ", sha256Hex=" + sha256Hex + "]";
  }
}
