package dev.silkroute.billing.ledger;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * The usage ledger in PostgreSQL. A batch is written in one transaction: the entries are COPied
 * into a temporary staging table, then one statement inserts them with {@code ON CONFLICT
 * (event_id) DO NOTHING} and adds only the rows it actually inserted (its {@code RETURNING}) to
 * the customer balances, the per-key totals and the daily and hourly aggregates. Replaying any
 * batch therefore changes nothing.
 */
public final class Ledger {

  static final String COLUMNS = CopyText.COLUMNS + ", recorded_at";

  private static final String STAGING = "CREATE TEMP TABLE IF NOT EXISTS ledger_in ("
      + "event_id text, customer_id text, key_id text, model text, model_author text,"
      + " provider text, endpoint text, worker_id text, prompt_tokens bigint,"
      + " completion_tokens bigint, cached_tokens bigint, reasoning_tokens bigint,"
      + " provider_cost_micros bigint, price_micros bigint, latency_ms bigint,"
      + " time_to_first_token_ms bigint, generation_ms bigint, status text, finish_reason text,"
      + " attempts integer, streamed boolean, started_at timestamptz, finished_at timestamptz,"
      + " router_instance text, kafka_topic text, kafka_partition integer, kafka_offset bigint,"
      + " hedge_loss boolean)"
      + " ON COMMIT DELETE ROWS";

  // Upserts are ordered by their keys so that concurrent writers (threads or billing instances)
  // lock aggregate rows in the same order and cannot deadlock. Any fixed order does; COLLATE "C"
  // (byte order) sorts faster than the database's linguistic collation.
  // PostgreSQL runs the CTEs' upserts last to first, and a writer waits at the first row another
  // uncommitted batch holds; so usage_daily (rows mostly new to each batch) comes last in the
  // text to run first, and the rows every batch shares (hours, balances) are locked as late as
  // possible: two writers overlap their ledger and daily work and queue only for the rest.
  // A hedge's loss (the leg of a hedged request that did not serve it, price 0) is in no customer
  // total: only usage_daily takes it, as a provider cost (hedge_losses, hedge_cost_micros).
  // Parameters: 1 recorded_at, 2 and 3 updated_at.
  private static final String RECORD = "WITH ins AS ("
      + " INSERT INTO ledger (" + COLUMNS + ") SELECT " + CopyText.COLUMNS + ", ? FROM ledger_in"
      + " ON CONFLICT (event_id) DO NOTHING"
      + " RETURNING customer_id, key_id, model_author, model, provider, prompt_tokens,"
      + " completion_tokens, price_micros, provider_cost_micros, hedge_loss,"
      + " coalesce(finished_at, recorded_at) AS used_at),"
      + " balances AS (INSERT INTO customer_balances AS b (customer_id, spent_micros, requests,"
      + " prompt_tokens, completion_tokens, updated_at)"
      + " SELECT customer_id, sum(price_micros), count(*), sum(prompt_tokens),"
      + " sum(completion_tokens), ? FROM ins WHERE NOT hedge_loss GROUP BY customer_id"
      + " ORDER BY customer_id COLLATE \"C\""
      + " ON CONFLICT (customer_id) DO UPDATE SET"
      + " spent_micros = b.spent_micros + EXCLUDED.spent_micros,"
      + " requests = b.requests + EXCLUDED.requests,"
      + " prompt_tokens = b.prompt_tokens + EXCLUDED.prompt_tokens,"
      + " completion_tokens = b.completion_tokens + EXCLUDED.completion_tokens,"
      + " updated_at = EXCLUDED.updated_at),"
      + " keys AS (INSERT INTO key_usage AS k (key_id, spent_micros, requests, prompt_tokens,"
      + " completion_tokens, updated_at)"
      + " SELECT key_id, sum(price_micros), count(*), sum(prompt_tokens), sum(completion_tokens),"
      + " ? FROM ins WHERE key_id IS NOT NULL AND NOT hedge_loss GROUP BY key_id"
      + " ORDER BY key_id COLLATE \"C\""
      + " ON CONFLICT (key_id) DO UPDATE SET"
      + " spent_micros = k.spent_micros + EXCLUDED.spent_micros,"
      + " requests = k.requests + EXCLUDED.requests,"
      + " prompt_tokens = k.prompt_tokens + EXCLUDED.prompt_tokens,"
      + " completion_tokens = k.completion_tokens + EXCLUDED.completion_tokens,"
      + " updated_at = EXCLUDED.updated_at),"
      + " hourly AS (INSERT INTO usage_hourly AS h (dimension, hour, value, requests, tokens,"
      + " price_micros, provider_cost_micros)"
      + " SELECT * FROM (SELECT x.dimension, date_trunc('hour', i.used_at, 'UTC') AS hour,"
      + " CASE x.dimension WHEN 'author' THEN coalesce(i.model_author, '')"
      + " WHEN 'model' THEN coalesce(i.model, '') WHEN 'provider' THEN coalesce(i.provider, '')"
      + " ELSE i.customer_id END AS value,"
      + " count(*), sum(i.prompt_tokens + i.completion_tokens), sum(i.price_micros),"
      + " sum(i.provider_cost_micros)"
      + " FROM ins i CROSS JOIN (VALUES ('author'), ('model'), ('provider'), ('customer'))"
      + " AS x (dimension) WHERE NOT i.hedge_loss GROUP BY 1, 2, 3) g"
      + " ORDER BY g.dimension COLLATE \"C\", g.hour, g.value COLLATE \"C\""
      + " ON CONFLICT (dimension, hour, value) DO UPDATE SET"
      + " requests = h.requests + EXCLUDED.requests, tokens = h.tokens + EXCLUDED.tokens,"
      + " price_micros = h.price_micros + EXCLUDED.price_micros,"
      + " provider_cost_micros = h.provider_cost_micros + EXCLUDED.provider_cost_micros),"
      + " daily AS (INSERT INTO usage_daily AS d (customer_id, day, model, provider,"
      + " model_author, requests, prompt_tokens, completion_tokens, price_micros,"
      + " provider_cost_micros, hedge_losses, hedge_cost_micros)"
      + " SELECT customer_id, (used_at AT TIME ZONE 'UTC')::date, coalesce(model, ''),"
      + " coalesce(provider, ''), coalesce(model_author, ''),"
      + " count(*) FILTER (WHERE NOT hedge_loss),"
      + " coalesce(sum(prompt_tokens) FILTER (WHERE NOT hedge_loss), 0),"
      + " coalesce(sum(completion_tokens) FILTER (WHERE NOT hedge_loss), 0),"
      + " coalesce(sum(price_micros) FILTER (WHERE NOT hedge_loss), 0), sum(provider_cost_micros),"
      + " count(*) FILTER (WHERE hedge_loss),"
      + " coalesce(sum(provider_cost_micros) FILTER (WHERE hedge_loss), 0)"
      + " FROM ins GROUP BY 1, 2, 3, 4, 5 ORDER BY customer_id COLLATE \"C\", 2,"
      + " coalesce(model, '') COLLATE \"C\", coalesce(provider, '') COLLATE \"C\","
      + " coalesce(model_author, '') COLLATE \"C\""
      + " ON CONFLICT (customer_id, day, model, provider, model_author) DO UPDATE SET"
      + " requests = d.requests + EXCLUDED.requests,"
      + " prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,"
      + " completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,"
      + " price_micros = d.price_micros + EXCLUDED.price_micros,"
      + " provider_cost_micros = d.provider_cost_micros + EXCLUDED.provider_cost_micros,"
      + " hedge_losses = d.hedge_losses + EXCLUDED.hedge_losses,"
      + " hedge_cost_micros = d.hedge_cost_micros + EXCLUDED.hedge_cost_micros)"
      + " SELECT count(*) FROM ins";

  private static final String COPY = "COPY ledger_in (" + CopyText.COLUMNS + ") FROM STDIN";
  private static final int COPY_BUFFER_BYTES = 256 * 1024;

  private final DataSource dataSource;
  private final Clock clock;

  public Ledger(DataSource dataSource, Clock clock) {
    this.dataSource = dataSource;
    this.clock = clock;
  }

  /** Records the entries and adds them to balances and aggregates, all or nothing. */
  public LedgerWrite record(List<LedgerEntry> entries) {
    return record(prepare(entries));
  }

  /** Renders the entries as COPY input; pure Java, no database work. */
  public LedgerBatch prepare(List<LedgerEntry> entries) {
    StringBuilder rows = new StringBuilder(entries.size() * 320);
    for (LedgerEntry e : entries) {
      CopyText.append(rows, e);
    }
    return new LedgerBatch(rows.toString().getBytes(StandardCharsets.UTF_8), entries.size());
  }

  /**
   * Records a prepared batch and adds it to balances and aggregates, all or nothing. Safe to call
   * from several threads at once: each call has its own connection and transaction, and the
   * upserts lock aggregate rows in key order.
   */
  public LedgerWrite record(LedgerBatch batch) {
    if (batch.size() == 0) {
      return new LedgerWrite(0, 0);
    }
    Timestamp now = Timestamp.from(clock.instant());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (Statement s = c.createStatement()) {
          s.execute(STAGING);
        }
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY,
            new ByteArrayInputStream(batch.copyText()), COPY_BUFFER_BYTES);
        int inserted;
        try (PreparedStatement ps = c.prepareStatement(RECORD)) {
          ps.setTimestamp(1, now);
          ps.setTimestamp(2, now);
          ps.setTimestamp(3, now);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            inserted = rs.getInt(1);
          }
        }
        c.commit();
        return new LedgerWrite(inserted, batch.size() - inserted);
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not record " + batch.size() + " usage events", e);
    } catch (IOException e) {
      throw new LedgerUnavailableException("could not record " + batch.size() + " usage events",
          new SQLException(e.getMessage(), "08006", e));
    }
  }

  /** One ledger row as column name -> value (timestamps as {@link Instant}). */
  public Optional<Map<String, Object>> find(String eventId) {
    List<Map<String, Object>> rows =
        query("SELECT " + COLUMNS + " FROM ledger WHERE event_id = ?", eventId, 1);
    return rows.stream().findFirst();
  }

  /**
   * A customer's rows, newest first by usage time (as statements count them), whatever order
   * they reached the ledger in; {@code seq} breaks ties. Served by ledger_customer_used_at_idx.
   */
  public List<Map<String, Object>> latest(String customerId, int limit) {
    return query("SELECT " + COLUMNS + " FROM ledger WHERE customer_id = ?"
        + " ORDER BY coalesce(finished_at, recorded_at) DESC, seq DESC LIMIT ?", customerId, limit);
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
