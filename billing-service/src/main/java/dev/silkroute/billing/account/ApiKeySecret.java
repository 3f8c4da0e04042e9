package dev.silkroute.billing.account;

import dev.silkroute.contracts.ApiKeyHash;

/**
 * A newly generated API key: {@code sk-sr-v1-} + 64 lowercase hex (32 random bytes). Only its
 * SHA-256 ({@link ApiKeyHash}) is stored; the key itself is shown to the caller once.
 *
 * @param prefix the first {@value #PREFIX_LENGTH} characters, safe to display
 */
record ApiKeySecret(String key, String sha256Hex, String prefix) {

  static final String SCHEME = "sk-sr-v1-";
  static final int PREFIX_LENGTH = 12;

  static ApiKeySecret generate(RandomIds random) {
    String key = SCHEME + random.hex(32);
    return new ApiKeySecret(key, ApiKeyHash.sha256Hex(key), key.substring(0, PREFIX_LENGTH));
  }

  @Override
  public String toString() {
    return "ApiKeySecret[prefix=" + prefix + ", sha256Hex=" + sha256Hex + "]";
  }
}
