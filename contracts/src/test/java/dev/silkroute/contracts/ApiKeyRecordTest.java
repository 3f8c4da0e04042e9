package dev.silkroute.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ApiKeyRecordTest {

  @Test
  void readsBackWhatItWrites() {
    ApiKeyRecord record = new ApiKeyRecord("cus_1", "key_1", ApiKeyRecord.ACTIVE,
        KeyLimits.of(OptionalLong.empty(), OptionalLong.of(60), OptionalLong.empty(), List.of("a/b")));

    assertThat(record.hashFields()).containsExactly(Map.entry("customer_id", "cus_1"),
        Map.entry("key_id", "key_1"), Map.entry("status", "active"), Map.entry("rpm", "60"),
        Map.entry("allowed_models", "a/b"));
    assertThat(ApiKeyRecord.fromHash(record.hashFields())).contains(record);
  }

  @Test
  void replacesTheHashByDeletingTheUnsetLimitsAndSettingTheRest() {
    ApiKeyRecord record = new ApiKeyRecord("cus_1", "key_1", ApiKeyRecord.REVOKED,
        KeyLimits.of(OptionalLong.of(5), OptionalLong.empty(), OptionalLong.of(7), List.of()));

    assertThat(record.replaceArguments()).containsExactly("3", "rpm", "allowed_models", "label",
        "customer_id", "cus_1", "key_id", "key_1", "status", "revoked", "credit_limit_micros", "5", "tpm", "7");
  }

  @Test
  void carriesTheKeysLabelWhenItHasOne() {
    ApiKeyRecord labelled = new ApiKeyRecord("cus_1", "key_1", ApiKeyRecord.ACTIVE, KeyLimits.NONE, "ops");

    assertThat(labelled.hashFields()).containsEntry("label", "ops");
    assertThat(labelled.absentHashFields()).doesNotContain("label");
    assertThat(ApiKeyRecord.fromHash(labelled.hashFields())).contains(labelled);
  }

  @Test
  void onlyAnActiveKeyIsActive() {
    assertThat(new ApiKeyRecord("c", "k", ApiKeyRecord.ACTIVE, KeyLimits.NONE).active()).isTrue();
    assertThat(new ApiKeyRecord("c", "k", ApiKeyRecord.REVOKED, KeyLimits.NONE).active()).isFalse();
    assertThat(ApiKeyRecord.fromHash(Map.of("customer_id", "c")).orElseThrow().active()).isFalse();
  }

  @Test
  void aHashWithoutCustomerIsNoKey() {
    assertThat(ApiKeyRecord.fromHash(Map.of())).isEmpty();
    assertThat(ApiKeyRecord.fromHash(null)).isEmpty();
    assertThat(ApiKeyRecord.fromHash(Map.of("key_id", "k", "status", "active"))).isEmpty();
    assertThat(ApiKeyRecord.fromHash(Map.of("customer_id", "c", "status", "active")).orElseThrow().keyId())
        .isEmpty();
  }
}
