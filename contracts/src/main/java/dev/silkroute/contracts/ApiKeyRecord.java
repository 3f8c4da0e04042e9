package dev.silkroute.contracts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One API key as billing-service mirrors it from PostgreSQL into the Redis HASH
 * {@link RedisKeys#apiKey} for the routers: who it belongs to, whether it is active, and its
 * {@link KeyLimits}. The key itself is never in it.
 *
 * @param status {@link #ACTIVE} or {@link #REVOKED}; only an active key authenticates
 */
public record ApiKeyRecord(String customerId, String keyId, String status, KeyLimits limits) {

  public static final String CUSTOMER_ID = "customer_id";
  public static final String KEY_ID = "key_id";
  public static final String STATUS = "status";

  public static final String ACTIVE = "active";
  public static final String REVOKED = "revoked";

  public boolean active() {
    return ACTIVE.equals(status);
  }

  /** Every field to set; the fields of unset limits ({@link KeyLimits#absentHashFields()}) must be deleted. */
  public Map<String, String> hashFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(CUSTOMER_ID, customerId);
    fields.put(KEY_ID, keyId);
    fields.put(STATUS, status);
    fields.putAll(limits.hashFields());
    return fields;
  }

  /**
   * The record a hash holds; empty for an empty hash (no such key) or one without a customer, which
   * cannot be charged. A missing key id reads as empty.
   */
  public static Optional<ApiKeyRecord> fromHash(Map<String, String> hash) {
    if (hash == null || hash.get(CUSTOMER_ID) == null) {
      return Optional.empty();
    }
    return Optional.of(new ApiKeyRecord(hash.get(CUSTOMER_ID), hash.getOrDefault(KEY_ID, ""),
        hash.getOrDefault(STATUS, ""), KeyLimits.fromHash(hash)));
  }
}
