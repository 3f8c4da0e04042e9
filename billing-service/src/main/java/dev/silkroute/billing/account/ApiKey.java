package dev.silkroute.billing.account;

import java.time.Instant;

/** An API key as PostgreSQL holds it: never the key itself, only its hash and display prefix. */
public record ApiKey(String id, String customerId, String label, String keyHash, String keyPrefix,
    Status status, Instant createdAt, Instant revokedAt, KeyLimits limits) {

  public enum Status {
    ACTIVE, REVOKED;

    /** As stored in PostgreSQL and Redis. */
    public String wire() {
      return name().toLowerCase();
    }

    static Status ofWire(String s) {
      return valueOf(s.toUpperCase());
    }
  }
}
