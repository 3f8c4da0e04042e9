package dev.silkroute.contracts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One API key as billing-service mirrors it from PostgreSQL into the Redis HASH
 * {@link RedisKeys#apiKey} for the routers: who it belongs to, whether it is active, and its
 * {@link KeyLimits}. The key itself is never in it.
 *
 * @param status {@link #ACTIVE} or {@link #REVOKED}; only an active key authenticates
 * @param label  the name its owner gave it, or null (the router's {@code /key} shows it)
 */
public record ApiKeyRecord(String customerId, String keyId, String status, KeyLimits limits, String label) {

  public static final String CUSTOMER_ID = "customer_id";
  public static final String KEY_ID = "key_id";
  public static final String STATUS = "status";
  public static final String LABEL = "label";

  public static final String ACTIVE = "active";
  public static final String REVOKED = "revoked";

  /**
   * Lua that replaces the hash {@code KEYS[1]} with a record in one step, so that a router never
   * sees a removed limit's field next to a new one's; {@code ARGV} = {@link #replaceArguments()}.
   * Returns what HSET returns.
   */
  public static final String REPLACE_SCRIPT = "local n = tonumber(ARGV[1])"
      + " if n > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 2, n + 1)) end"
      + " return redis.call('HSET', KEYS[1], unpack(ARGV, n + 2))";

  /** A record without a label. */
  public ApiKeyRecord(String customerId, String keyId, String status, KeyLimits limits) {
    this(customerId, keyId, status, limits, null);
  }

  public boolean active() {
    return ACTIVE.equals(status);
  }

  /** Every field to set; those of {@link #absentHashFields()} must be deleted. */
  public Map<String, String> hashFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(CUSTOMER_ID, customerId);
    fields.put(KEY_ID, keyId);
    fields.put(STATUS, status);
    if (label != null) {
      fields.put(LABEL, label);
    }
    fields.putAll(limits.hashFields());
    return fields;
  }

  /** The fields a replaced hash must lose: unset limits, and the label when there is none. */
  public List<String> absentHashFields() {
    List<String> absent = new ArrayList<>(limits.absentHashFields());
    if (label == null) {
      absent.add(LABEL);
    }
    return absent;
  }

  /** For {@link #REPLACE_SCRIPT}: n, the n fields to delete, then the field/value pairs to set. */
  public String[] replaceArguments() {
    List<String> absent = absentHashFields();
    List<String> args = new ArrayList<>();
    args.add(String.valueOf(absent.size()));
    args.addAll(absent);
    hashFields().forEach((name, value) -> {
      args.add(name);
      args.add(value);
    });
    return args.toArray(String[]::new);
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
        hash.getOrDefault(STATUS, ""), KeyLimits.fromHash(hash), hash.get(LABEL)));
  }
}
