package dev.silkroute.billing.report;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * One customer's usage from the daily aggregates: by day and model, or by model and provider. Hedge
 * losses are not the customer's: the aggregates count none of them as requests, tokens or price, and
 * a group with nothing else is no line.
 */
public final class UsageReports {

  private final DataSource dataSource;

  public UsageReports(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Sums over a group; money in micro-USD, empty text = the event did not say. */
  public record Usage(long requests, long promptTokens, long completionTokens, long priceMicros) {
    static final Usage ZERO = new Usage(0, 0, 0, 0);

    Usage plus(Usage o) {
      return new Usage(Math.addExact(requests, o.requests),
          Math.addExact(promptTokens, o.promptTokens),
          Math.addExact(completionTokens, o.completionTokens),
          Math.addExact(priceMicros, o.priceMicros));
    }
  }

  public record DayModel(LocalDate date, String model, Usage usage) {
  }

  public record LineItem(String model, String provider, Usage usage) {
  }

  /** Line items by model and provider, their sum, and the credit granted within the range. */
  public record Statement(DateRange range, List<LineItem> lineItems, Usage total,
      long creditsGrantedMicros) {
  }

  public List<DayModel> byDayAndModel(String customerId, DateRange range) {
    String sql = "SELECT day, model, sum(requests)::bigint, sum(prompt_tokens)::bigint,"
        + " sum(completion_tokens)::bigint, sum(price_micros)::bigint FROM usage_daily"
        + " WHERE customer_id = ? AND day >= ? AND day <= ? GROUP BY 1, 2"
        + " HAVING sum(requests) > 0 ORDER BY 1, 2";
    List<DayModel> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, customerId, range);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new DayModel(rs.getDate(1).toLocalDate(), rs.getString(2), usage(rs, 3)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read usage of " + customerId, e);
    }
  }

  public Statement statement(String customerId, DateRange range) {
    String sql = "SELECT model, provider, sum(requests)::bigint, sum(prompt_tokens)::bigint,"
        + " sum(completion_tokens)::bigint, sum(price_micros)::bigint FROM usage_daily"
        + " WHERE customer_id = ? AND day >= ? AND day <= ? GROUP BY 1, 2"
        + " HAVING sum(requests) > 0 ORDER BY 1, 2";
    List<LineItem> items = new ArrayList<>();
    Usage total = Usage.ZERO;
    try (Connection c = dataSource.getConnection()) {
      // One snapshot, so that the line items and the credits describe the same moment.
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          bind(ps, customerId, range);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              LineItem item = new LineItem(rs.getString(1), rs.getString(2), usage(rs, 3));
              items.add(item);
              total = total.plus(item.usage());
            }
          }
        }
        long credits;
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(amount_micros), 0)"
            + " FROM credit_grants WHERE customer_id = ? AND created_at >= ? AND created_at < ?")) {
          ps.setString(1, customerId);
          ps.setTimestamp(2, Timestamp.from(range.start()));
          ps.setTimestamp(3, Timestamp.from(range.end()));
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            credits = rs.getLong(1);
          }
        }
        return new Statement(range, items, total, credits);
      } finally {
        c.rollback();
        c.setReadOnly(false);
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read the statement of " + customerId, e);
    }
  }

  private static void bind(PreparedStatement ps, String customerId, DateRange range)
      throws SQLException {
    ps.setString(1, customerId);
    ps.setDate(2, Date.valueOf(range.from()));
    ps.setDate(3, Date.valueOf(range.to()));
  }

  private static Usage usage(ResultSet rs, int first) throws SQLException {
    return new Usage(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2),
        rs.getLong(first + 3));
  }
}
