package dev.silkroute.billing.report;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Daily totals per dimension value over the last N UTC days (today included), from usage_daily. */
public final class Timeseries {

  private final DataSource dataSource;
  private final Clock clock;

  public Timeseries(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** One value's daily figures, aligned with {@link Series#dates()}; zero where nothing happened. */
  public record Line(String key, long total, long[] values) {
  }

  public record Series(Dimension by, Metric metric, List<LocalDate> dates, List<Line> lines) {
  }

  public Series lastDays(Dimension by, Metric metric, int days) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    DateRange range = new DateRange(today.minusDays(days - 1L), today);
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate d = range.from(); !d.isAfter(range.to()); d = d.plusDays(1)) {
      dates.add(d);
    }
    String sql = "SELECT " + by.dailyColumn() + ", day, sum(" + metric.dailyExpr + ")::bigint"
        + " FROM usage_daily WHERE day >= ? AND day <= ? GROUP BY 1, 2";
    Map<String, long[]> byKey = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setDate(1, Date.valueOf(range.from()));
      ps.setDate(2, Date.valueOf(range.to()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long[] values = byKey.computeIfAbsent(rs.getString(1), k -> new long[days]);
          int index = (int) (rs.getDate(2).toLocalDate().toEpochDay() - range.from().toEpochDay());
          values[index] = rs.getLong(3);
        }
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read the daily aggregates", e);
    }
    List<Line> lines = new ArrayList<>();
    byKey.forEach((key, values) -> {
      long total = 0;
      for (long v : values) {
        total = Math.addExact(total, v);
      }
      lines.add(new Line(key, total, values));
    });
    lines.sort((a, b) -> a.total() != b.total() ? Long.compare(b.total(), a.total())
        : a.key().compareTo(b.key()));
    return new Series(by, metric, dates, lines);
  }
}
