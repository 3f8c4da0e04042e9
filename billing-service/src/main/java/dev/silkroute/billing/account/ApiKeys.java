package dev.silkroute.billing.account;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * API keys in PostgreSQL (hash only) and their Redis mirror. The mirror is written inside the
 * database transaction, before the commit: if Redis fails the change is rolled back and the
 * caller can retry, so a revoke never stays active in Redis while PostgreSQL says revoked.
 */
public final class ApiKeys {

  private final DataSource dataSource;
  private final ApiKeyMirror mirror;
  private final Clock clock;
  private final RandomIds ids;

  ApiKeys(DataSource dataSource, ApiKeyMirror mirror, Clock clock, RandomIds ids) {
    this.dataSource = dataSource;
    this.mirror = mirror;
    this.clock = clock;
    this.ids = ids;
  }

  /** A key just created: the only time the clear-text key is available. */
  public record CreatedKey(ApiKey key, String secret) {
    @Override
    public String toString() {
      return "CreatedKey[" + key + "]";
    }
  }

  /** Empty when the customer does not exist. */
  public Optional<CreatedKey> create(String customerId, String label, KeyLimits limits) {
    ApiKeySecret secret = ApiKeySecret.generate(ids);
    ApiKey key = new ApiKey(ids.keyId(), customerId, label, secret.sha256Hex(), secret.prefix(),
        ApiKey.Status.ACTIVE, clock.instant(), null, limits);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (!Customers.exists(c, customerId)) {
          c.rollback();
          return Optional.empty();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (id, customer_id,"
            + " label, key_hash, key_prefix, status, created_at, credit_limit_micros,"
            + " requests_per_minute, tokens_per_minute, allowed_models)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
          ps.setString(1, key.id());
          ps.setString(2, key.customerId());
          ps.setString(3, key.label());
          ps.setString(4, key.keyHash());
          ps.setString(5, key.keyPrefix());
          ps.setString(6, key.status().wire());
          ps.setTimestamp(7, Timestamp.from(key.createdAt()));
          setLimits(c, ps, 8, limits);
          ps.executeUpdate();
        }
        mirror.put(key);
        c.commit();
        return Optional.of(new CreatedKey(key, secret.key()));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not create an API key", e);
    }
  }

  /** Revokes the key (idempotent); empty when there is no such key. */
  public Optional<ApiKey> revoke(String keyId) {
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<ApiKey> revoked;
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET status = 'revoked',"
            + " revoked_at = coalesce(revoked_at, ?) WHERE id = ? RETURNING " + COLUMNS)) {
          ps.setTimestamp(1, Timestamp.from(now));
          ps.setString(2, keyId);
          try (ResultSet rs = ps.executeQuery()) {
            revoked = rs.next() ? Optional.of(read(rs)) : Optional.empty();
          }
        }
        revoked.ifPresent(mirror::put);
        c.commit();
        return revoked;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not revoke API key " + keyId, e);
    }
  }

  /**
   * Replaces the key's limits with {@code change} applied to the current ones, in PostgreSQL and
   * its Redis hash together; empty when there is no such key. The row is locked meanwhile so that
   * two concurrent changes cannot lose one another.
   */
  public Optional<ApiKey> changeLimits(String keyId, UnaryOperator<KeyLimits> change) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<ApiKey> current = select(c, "id = ? FOR UPDATE", keyId);
        if (current.isEmpty()) {
          c.rollback();
          return Optional.empty();
        }
        KeyLimits limits = change.apply(current.get().limits());
        try (PreparedStatement ps = c.prepareStatement("UPDATE api_keys SET"
            + " credit_limit_micros = ?, requests_per_minute = ?, tokens_per_minute = ?,"
            + " allowed_models = ? WHERE id = ?")) {
          setLimits(c, ps, 1, limits);
          ps.setString(5, keyId);
          ps.executeUpdate();
        }
        ApiKey k = current.get();
        ApiKey changed = new ApiKey(k.id(), k.customerId(), k.label(), k.keyHash(), k.keyPrefix(),
            k.status(), k.createdAt(), k.revokedAt(), limits);
        mirror.put(changed);
        c.commit();
        return Optional.of(changed);
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not change the limits of API key " + keyId, e);
    }
  }

  public Optional<ApiKey> find(String keyId) {
    return selectOne("id = ?", keyId);
  }

  /** The key whose SHA-256 hex is {@code sha256Hex}, active or not. */
  public Optional<ApiKey> findByHash(String sha256Hex) {
    return selectOne("key_hash = ?", sha256Hex);
  }

  private Optional<ApiKey> selectOne(String where, String value) {
    try (Connection c = dataSource.getConnection()) {
      return select(c, where, value);
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read API keys", e);
    }
  }

  private static Optional<ApiKey> select(Connection c, String where, String value)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM api_keys WHERE " + where)) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static void setLimits(Connection c, PreparedStatement ps, int first, KeyLimits limits)
      throws SQLException {
    ps.setObject(first, limits.creditLimitMicros(), Types.BIGINT);
    ps.setObject(first + 1, limits.requestsPerMinute(), Types.INTEGER);
    ps.setObject(first + 2, limits.tokensPerMinute(), Types.BIGINT);
    if (limits.allowedModels() == null) {
      ps.setNull(first + 3, Types.ARRAY);
    } else {
      ps.setArray(first + 3, c.createArrayOf("text", limits.allowedModels().toArray()));
    }
  }

  /** Rewrites the Redis mirror from PostgreSQL; run at start-up. */
  public ApiKeyMirror.Rebuild rebuildMirror() {
    return mirror.rebuild(this::forEach);
  }

  private void forEach(Consumer<ApiKey> action) {
    try (Connection c = dataSource.getConnection()) {
      // A cursor (fetch size needs a transaction in PgJDBC) instead of loading every key at once.
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys")) {
        ps.setFetchSize(1000);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            action.accept(read(rs));
          }
        }
      } finally {
        c.rollback();
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read API keys", e);
    }
  }

  private static final String COLUMNS =
      "id, customer_id, label, key_hash, key_prefix, status, created_at, revoked_at,"
      + " credit_limit_micros, requests_per_minute, tokens_per_minute, allowed_models";

  private static ApiKey read(ResultSet rs) throws SQLException {
    Timestamp revokedAt = rs.getTimestamp(8);
    Array models = rs.getArray(12);
    KeyLimits limits = new KeyLimits(rs.getObject(9, Long.class), rs.getObject(10, Integer.class),
        rs.getObject(11, Long.class), models == null ? null : List.of((String[]) models.getArray()));
    return new ApiKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getString(5), ApiKey.Status.ofWire(rs.getString(6)), rs.getTimestamp(7).toInstant(),
        revokedAt == null ? null : revokedAt.toInstant(), limits);
  }
}
