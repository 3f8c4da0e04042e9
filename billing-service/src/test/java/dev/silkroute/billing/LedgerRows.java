package dev.silkroute.billing;

import dev.silkroute.testkit.Infra;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads a test database straight over JDBC, to check what the service wrote against the ledger. */
public final class LedgerRows {

  private final String jdbcUrl;

  public LedgerRows(String jdbcUrl) {
    this.jdbcUrl = jdbcUrl;
  }

  /** Every row as its columns rendered as text (null as "null"), in the query's order. */
  public List<List<String>> rows(String sql) {
    try (Connection c = Infra.postgres().connect(jdbcUrl);
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      List<List<String>> rows = new ArrayList<>();
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) {
          row.add(String.valueOf(rs.getString(i)));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * The plan PostgreSQL would choose for the query if the tables were large: sequential and
   * bitmap scans are switched off, since on a test's few rows they win and would hide whether an
   * index serves the query (and its order).
   */
  public String planAtScale(String query) {
    try (Connection c = Infra.postgres().connect(jdbcUrl);
         Statement s = c.createStatement()) {
      s.execute("SET enable_seqscan = off");
      s.execute("SET enable_bitmapscan = off");
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = s.executeQuery("EXPLAIN " + query)) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      return plan.toString();
    } catch (SQLException e) {
      throw new IllegalStateException(query, e);
    }
  }

  public long number(String sql) {
    return Long.parseLong(rows(sql).get(0).get(0));
  }

  public void execute(String sql) {
    try (Connection c = Infra.postgres().connect(jdbcUrl);
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
