package dev.silkroute.billing.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.contracts.ApiKeyHash;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class ApiKeySecretTest {

  private final RandomIds ids = new RandomIds(new SecureRandom());

  @Test
  void generatesKeysInTheSharedFormat() {
    ApiKeySecret secret = ApiKeySecret.generate(ids);

    assertThat(secret.key()).matches("sk-sr-v1-[0-9a-f]{64}");
    assertThat(secret.prefix()).isEqualTo(secret.key().substring(0, 12));
    assertThat(secret.sha256Hex()).isEqualTo(ApiKeyHash.sha256Hex(secret.key()));
  }

  @Test
  void neverPrintsTheKey() {
    ApiKeySecret secret = ApiKeySecret.generate(ids);

    assertThat(secret.toString()).doesNotContain(secret.key());
  }

  @Test
  void generatesDistinctKeys() {
    assertThat(ApiKeySecret.generate(ids).key()).isNotEqualTo(ApiKeySecret.generate(ids).key());
  }

  @Test
  void makesIdsInTheSharedFormat() {
    assertThat(ids.customerId()).matches("cus_[0-9a-f]{24}");
    assertThat(ids.keyId()).matches("key_[0-9a-f]{24}");
  }
}
