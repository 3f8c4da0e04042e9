package dev.silkroute.billing.account;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Ids from the shared contract: {@code cus_} / {@code key_} followed by 24 lowercase hex. */
final class RandomIds {

  private final SecureRandom random;

  RandomIds(SecureRandom random) {
    this.random = random;
  }

  String customerId() {
    return "cus_" + hex(12);
  }

  String keyId() {
    return "key_" + hex(12);
  }

  String hex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
