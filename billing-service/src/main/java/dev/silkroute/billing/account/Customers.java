package dev.silkroute.billing.account;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/** Customers, their credit grants and balances in PostgreSQL. */
public final class Customers {

  private final DataSource dataSource;
  private final Clock clock;
  private final RandomIds ids;
  private final Balances balances;

  Customers(DataSource dataSource, Clock clock, RandomIds ids, Balances balances) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.ids = ids;
    this.balances = balances;
  }

  public Customer create(String name) {
    Customer customer = new Customer(ids.customerId(), name, clock.instant());
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(
             "INSERT INTO customers (id, name, created_at) VALUES (?, ?, ?)")) {
      ps.setString(1, customer.id());
      ps.setString(2, customer.name());
      ps.setTimestamp(3, Timestamp.from(customer.createdAt()));
      ps.executeUpdate();
      return customer;
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not create a customer", e);
    }
  }

  public Optional<Account> account(String customerId) {
    String sql = "SELECT c.id, c.name, c.created_at, coalesce(b.credit_granted_micros, 0),"
        + " coalesce(b.spent_micros, 0), coalesce(b.requests, 0), coalesce(b.prompt_tokens, 0),"
        + " coalesce(b.completion_tokens, 0)"
        + " FROM customers c LEFT JOIN customer_balances b ON b.customer_id = c.id WHERE c.id = ?";
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, customerId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(new Account(rs.getString(1), rs.getString(2),
            rs.getTimestamp(3).toInstant(), rs.getLong(4), rs.getLong(5), rs.getLong(6),
            rs.getLong(7), rs.getLong(8)));
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read customer " + customerId, e);
    }
  }

  public boolean exists(String customerId) {
    try (Connection c = dataSource.getConnection()) {
      return exists(c, customerId);
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read customer " + customerId, e);
    }
  }

  static boolean exists(Connection c, String customerId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM customers WHERE id = ?")) {
      ps.setString(1, customerId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Adds credit; empty when the customer does not exist. The grant, the PostgreSQL balance and
   * the router's Redis balance change together: Redis is credited before the commit, so a Redis
   * failure rolls the grant back, and a failed commit takes the Redis credit back.
   */
  public Optional<CreditGrant> grant(String customerId, long amountMicros, String note) {
    if (amountMicros <= 0) {
      throw new IllegalArgumentException("amount_micros must be positive, was " + amountMicros);
    }
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (!exists(c, customerId)) {
          c.rollback();
          return Optional.empty();
        }
        long id;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_grants"
            + " (customer_id, amount_micros, note, created_at) VALUES (?, ?, ?, ?) RETURNING id")) {
          ps.setString(1, customerId);
          ps.setLong(2, amountMicros);
          ps.setString(3, note);
          ps.setTimestamp(4, Timestamp.from(now));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
          }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO customer_balances"
            + " (customer_id, credit_granted_micros, updated_at) VALUES (?, ?, ?)"
            + " ON CONFLICT (customer_id) DO UPDATE SET credit_granted_micros ="
            + " customer_balances.credit_granted_micros + EXCLUDED.credit_granted_micros,"
            + " updated_at = EXCLUDED.updated_at"
            + " RETURNING credit_granted_micros - spent_micros, credit_granted_micros")) {
          ps.setString(1, customerId);
          ps.setLong(2, amountMicros);
          ps.setTimestamp(3, Timestamp.from(now));
          long balanceAfter;
          long grantedAfter;
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            balanceAfter = rs.getLong(1);
            grantedAfter = rs.getLong(2);
          }
          balances.credit(customerId, amountMicros, balanceAfter, grantedAfter);
        }
        try {
          c.commit();
        } catch (SQLException e) {
          balances.undoCredit(customerId, amountMicros);
          throw e;
        }
        return Optional.of(new CreditGrant(id, customerId, amountMicros, note, now));
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not grant credit to " + customerId, e);
    }
  }
}
