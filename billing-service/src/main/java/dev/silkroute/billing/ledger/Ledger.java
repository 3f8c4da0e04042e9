package dev.silkroute.billing.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import javax.sql.DataSource;

/**
 * The usage ledger in PostgreSQL. A batch is written in one transaction: rows are inserted with
 * {@code ON CONFLICT (event_id) DO NOTHING}, and only the rows that were actually inserted are
 * added to {@code customer_balances}, so replaying any batch changes nothing.
 */
public final class Ledger {

  static final String COLUMNS = "event_id, customer_id, key_id, model, model_author, provider,"
      + " endpoint, worker_id, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens,"
      + " provider_cost_micros, price_micros, latency_ms, time_to_first_token_ms, generation_ms,"
      + " status, finish_reason, attempts, streamed, started_at, finished_at, router_instance,"
      + " kafka_topic, kafka_partition, kafka_offset, recorded_at";
  private static final int COLUMN_COUNT = COLUMNS.split(",").length;
  // 28 parameters a row; PostgreSQL allows 65535 per statement.
  private static final int ROWS_PER_STATEMENT = 500;

  private static final String CHARGE = "INSERT INTO customer_balances"
      + " (customer_id, spent_micros, requests, prompt_tokens, completion_tokens, updated_at)"
      + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET"
      + " spent_micros = customer_balances.spent_micros + EXCLUDED.spent_micros,"
      + " requests = customer_balances.requests + EXCLUDED.requests,"
      + " prompt_tokens = customer_balances.prompt_tokens + EXCLUDED.prompt_tokens,"
      + " completion_tokens = customer_balances.completion_tokens + EXCLUDED.completion_tokens,"
      + " updated_at = EXCLUDED.updated_at";

  private final DataSource dataSource;
  private final Clock clock;

  public Ledger(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Records the entries and charges their customers, all or nothing. */
  public LedgerWrite record(List<LedgerEntry> entries) {
    if (entries.isEmpty()) {
      return new LedgerWrite(0, 0);
    }
    Map<String, LedgerEntry> unique = new LinkedHashMap<>();
    for (LedgerEntry e : entries) {
      unique.putIfAbsent(e.eventId(), e);
    }
    List<LedgerEntry> candidates = new ArrayList<>(unique.values());
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        List<LedgerEntry> inserted = new ArrayList<>();
        for (int from = 0; from < candidates.size(); from += ROWS_PER_STATEMENT) {
          List<LedgerEntry> chunk =
              candidates.subList(from, Math.min(candidates.size(), from + ROWS_PER_STATEMENT));
          Set<String> ids = insert(c, chunk, now);
          for (LedgerEntry e : chunk) {
            if (ids.contains(e.eventId())) {
              inserted.add(e);
            }
          }
        }
        charge(c, BalanceDelta.byCustomer(inserted), now);
        c.commit();
        return new LedgerWrite(inserted.size(), entries.size() - inserted.size());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not record " + entries.size() + " usage events", e);
    }
  }

  private static Set<String> insert(Connection c, List<LedgerEntry> chunk, Instant now)
      throws SQLException {
    String row = "(" + String.join(", ", Collections.nCopies(COLUMN_COUNT, "?")) + ")";
    String sql = "INSERT INTO ledger (" + COLUMNS + ") VALUES "
        + String.join(", ", Collections.nCopies(chunk.size(), row))
        + " ON CONFLICT (event_id) DO NOTHING RETURNING event_id";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      Timestamp recordedAt = Timestamp.from(now);
      for (LedgerEntry e : chunk) {
        ps.setString(i++, e.eventId());
        ps.setString(i++, e.customerId());
        ps.setString(i++, e.keyId());
        ps.setString(i++, e.model());
        ps.setString(i++, e.modelAuthor());
        ps.setString(i++, e.provider());
        ps.setString(i++, e.endpoint());
        ps.setString(i++, e.workerId());
        ps.setLong(i++, e.promptTokens());
        ps.setLong(i++, e.completionTokens());
        ps.setLong(i++, e.cachedTokens());
        ps.setLong(i++, e.reasoningTokens());
        ps.setLong(i++, e.providerCostMicros());
        ps.setLong(i++, e.priceMicros());
        ps.setLong(i++, e.latencyMs());
        ps.setLong(i++, e.timeToFirstTokenMs());
        ps.setLong(i++, e.generationMs());
        ps.setString(i++, e.status());
        ps.setString(i++, e.finishReason());
        ps.setInt(i++, e.attempts());
        ps.setBoolean(i++, e.streamed());
        setInstant(ps, i++, e.startedAt());
        setInstant(ps, i++, e.finishedAt());
        ps.setString(i++, e.routerInstance());
        ps.setString(i++, e.source().topic());
        ps.setInt(i++, e.source().partition());
        ps.setLong(i++, e.source().offset());
        ps.setTimestamp(i++, recordedAt);
      }
      Set<String> inserted = new HashSet<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          inserted.add(rs.getString(1));
        }
      }
      return inserted;
    }
  }

  private static void charge(Connection c, SortedMap<String, BalanceDelta> deltas, Instant now)
      throws SQLException {
    if (deltas.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(CHARGE)) {
      for (Map.Entry<String, BalanceDelta> d : deltas.entrySet()) {
        ps.setString(1, d.getKey());
        ps.setLong(2, d.getValue().spentMicros());
        ps.setLong(3, d.getValue().requests());
        ps.setLong(4, d.getValue().promptTokens());
        ps.setLong(5, d.getValue().completionTokens());
        ps.setTimestamp(6, Timestamp.from(now));
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  private static void setInstant(PreparedStatement ps, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setTimestamp(index, Timestamp.from(instant));
    }
  }

  /** One ledger row as column name -> value (timestamps as {@link Instant}). */
  public Optional<Map<String, Object>> find(String eventId) {
    List<Map<String, Object>> rows =
        query("SELECT " + COLUMNS + " FROM ledger WHERE event_id = ?", eventId, 1);
    return rows.stream().findFirst();
  }

  /** A customer's rows, newest first. */
  public List<Map<String, Object>> latest(String customerId, int limit) {
    return query("SELECT " + COLUMNS + " FROM ledger WHERE customer_id = ? ORDER BY seq DESC LIMIT ?",
        customerId, limit);
  }

  private List<Map<String, Object>> query(String sql, String key, int limit) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, key);
      if (sql.endsWith("LIMIT ?")) {
        ps.setInt(2, limit);
      }
      List<Map<String, Object>> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        ResultSetMetaData meta = rs.getMetaData();
        while (rs.next()) {
          Map<String, Object> row = new LinkedHashMap<>();
          for (int col = 1; col <= meta.getColumnCount(); col++) {
            Object value = rs.getObject(col);
            row.put(meta.getColumnLabel(col),
                value instanceof Timestamp ts ? ts.toInstant() : value);
          }
          rows.add(row);
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read the ledger", e);
    }
  }
}
