package dev.silkroute.billing.account;

import dev.silkroute.contracts.ApiKeyRecord;
import java.time.Instant;

/** An API key as PostgreSQL holds it: never the key itself, only its hash and display prefix. */
public record ApiKey(String id, String customerId, String label, String keyHash, String keyPrefix,
    Status status, Instant createdAt, Instant revokedAt, KeyLimits limits) {

  public enum Status {
    ACTIVE(ApiKeyRecord.ACTIVE), REVOKED(ApiKeyRecord.REVOKED);

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    /** As stored in PostgreSQL and Redis. */
    public String wire() {
      return wire;
    }

    static Status ofWire(String s) {
      for (Status status : values()) {
        if (status.wire.equals(s)) {
          return status;
        }
      }
      throw new IllegalArgumentException("no API key status " + s);
    }
  }

  /** What the routers are given of this key, in Redis. */
  ApiKeyRecord record() {
    return new ApiKeyRecord(customerId, id, status.wire(), limits.recorded(), label);
  }
}
