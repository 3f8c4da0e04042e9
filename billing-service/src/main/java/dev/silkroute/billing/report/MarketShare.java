package dev.silkroute.billing.report;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Who has which share of tokens, spend or requests over a sliding window ending now. Whole hours
 * inside the window come from {@code usage_hourly}; the partial hours at both edges come from the
 * ledger through its usage-time index. So a 30-day window reads about 720 x (distinct values)
 * aggregate rows plus under two hours of ledger rows, whatever the ledger's size, and the answer
 * is exact (equal to summing the ledger over the window).
 */
public final class MarketShare {

  /** Decimal places of {@link Share#share()}; the exact share is {@code value / total}. */
  public static final int SHARE_SCALE = 9;

  private final DataSource dataSource;
  private final Clock clock;

  public MarketShare(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  public record Share(String key, long value, BigDecimal share) {
  }

  /** Shares in descending order of value; {@code total} is the sum of all values. */
  public record Shares(Dimension by, Metric metric, Instant from, Instant to, long total,
      List<Share> data) {
  }

  public Shares over(Dimension by, Metric metric, Duration window) {
    Instant now = clock.instant();
    Instant from = now.minus(window);
    Instant nowHour = now.truncatedTo(ChronoUnit.HOURS);
    Instant fromHour = from.truncatedTo(ChronoUnit.HOURS);
    Instant wholeStart = fromHour.equals(from) ? from : fromHour.plus(1, ChronoUnit.HOURS);
    if (wholeStart.isAfter(nowHour)) {
      wholeStart = nowHour;
    }
    Instant tailStart = from.isAfter(nowHour) ? from : nowHour;
    String usedAt = "coalesce(finished_at, recorded_at)";
    String sql = "SELECT value, sum(v)::bigint FROM ("
        + " SELECT value, sum(" + metric.hourlyExpr + ") AS v FROM usage_hourly"
        + " WHERE dimension = ? AND hour >= ? AND hour < ? GROUP BY value"
        + " UNION ALL SELECT " + by.ledgerValue() + ", sum(" + metric.ledgerExpr + ") FROM ledger"
        + " WHERE " + usedAt + " >= ? AND " + usedAt + " < ? AND NOT hedge_loss GROUP BY 1"
        + " UNION ALL SELECT " + by.ledgerValue() + ", sum(" + metric.ledgerExpr + ") FROM ledger"
        + " WHERE " + usedAt + " >= ? AND NOT hedge_loss GROUP BY 1"
        + ") parts GROUP BY value ORDER BY 2 DESC, 1";
    List<String> keys = new ArrayList<>();
    List<Long> values = new ArrayList<>();
    long total = 0;
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, by.wire());
      ps.setTimestamp(2, Timestamp.from(wholeStart));
      ps.setTimestamp(3, Timestamp.from(nowHour));
      ps.setTimestamp(4, Timestamp.from(from));
      ps.setTimestamp(5, Timestamp.from(wholeStart));
      ps.setTimestamp(6, Timestamp.from(tailStart));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
          values.add(rs.getLong(2));
          total = Math.addExact(total, rs.getLong(2));
        }
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not compute market share", e);
    }
    List<Share> shares = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      BigDecimal share = total == 0 ? BigDecimal.ZERO.setScale(SHARE_SCALE)
          : BigDecimal.valueOf(values.get(i))
              .divide(BigDecimal.valueOf(total), SHARE_SCALE, RoundingMode.HALF_EVEN);
      shares.add(new Share(keys.get(i), values.get(i), share));
    }
    return new Shares(by, metric, from, now, total, shares);
  }
}
