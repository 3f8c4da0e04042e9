package dev.silkroute.billing.bench;

import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.billing.report.DateRange;
import dev.silkroute.billing.report.Dimension;
import dev.silkroute.billing.report.MarketShare;
import dev.silkroute.billing.report.Metric;
import dev.silkroute.billing.report.Timeseries;
import dev.silkroute.billing.report.UsageReports;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Analytics latency on a generated ledger: rows go straight into PostgreSQL with
 * generate_series (30 days, 1000 customers, 40 models by 12 authors, 12 providers), the
 * aggregates are built from them with the same SQL as migration V2, then every query is timed
 * (median of 11 after 2 warm-ups). Argument: rows (default 10000000). Not a test.
 */
public final class AnalyticsBenchmark {

  private AnalyticsBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    Map<String, Object> props = new HashMap<>(BillingTestProperties.withoutKafka("analyticsbench"));
    try (ApplicationContext context = ApplicationContext.run(props)) {
      LedgerRows db = new LedgerRows((String) props.get("datasources.default.url"));
      long started = System.nanoTime();
      db.execute("INSERT INTO ledger (event_id, customer_id, key_id, model, model_author, provider,"
          + " prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens,"
          + " provider_cost_micros, price_micros, latency_ms, time_to_first_token_ms,"
          + " generation_ms, status, attempts, streamed, finished_at, kafka_topic,"
          + " kafka_partition, kafka_offset, recorded_at)"
          + " SELECT 'gen-' || lpad(to_hex(g), 32, '0'),"
          + " 'cus_' || lpad(to_hex((g * 7919) % 1000), 24, '0'),"
          + " 'key_' || lpad(to_hex((g * 7919) % 3000), 24, '0'),"
          + " 'author-' || (g % 40) % 12 || '/model-' || g % 40, 'author-' || (g % 40) % 12,"
          + " 'provider-' || (g * 31) % 12, 200 + g % 4000, g % 1000, 0, 0, g % 10000,"
          + " g % 20000, 1000, 100, 900, 'ok', 1, true,"
          + " now() - make_interval(secs => (g * 2592000.0 / " + rows + ")), 'bench', 0, g,"
          + " now() FROM generate_series(1::bigint, " + rows + ") g");
      System.out.printf("generated %d ledger rows in %.1f s%n", rows, secs(started));
      started = System.nanoTime();
      db.execute("INSERT INTO usage_daily SELECT (coalesce(finished_at, recorded_at) AT TIME ZONE"
          + " 'UTC')::date, customer_id, coalesce(model_author, ''), coalesce(model, ''),"
          + " coalesce(provider, ''), count(*), sum(prompt_tokens), sum(completion_tokens),"
          + " sum(price_micros), sum(provider_cost_micros) FROM ledger GROUP BY 1, 2, 3, 4, 5");
      db.execute("INSERT INTO usage_hourly SELECT d.dimension, date_trunc('hour',"
          + " coalesce(l.finished_at, l.recorded_at), 'UTC'), CASE d.dimension"
          + " WHEN 'author' THEN coalesce(l.model_author, '') WHEN 'model' THEN"
          + " coalesce(l.model, '') WHEN 'provider' THEN coalesce(l.provider, '')"
          + " ELSE l.customer_id END, count(*), sum(l.prompt_tokens + l.completion_tokens),"
          + " sum(l.price_micros), sum(l.provider_cost_micros) FROM ledger l CROSS JOIN"
          + " (VALUES ('author'), ('model'), ('provider'), ('customer')) d (dimension)"
          + " GROUP BY 1, 2, 3");
      db.execute("VACUUM ANALYZE");
      System.out.printf("built aggregates in %.1f s: usage_daily %d rows, usage_hourly %d rows%n",
          secs(started), db.number("SELECT count(*) FROM usage_daily"),
          db.number("SELECT count(*) FROM usage_hourly"));

      MarketShare share = context.getBean(MarketShare.class);
      Timeseries series = context.getBean(Timeseries.class);
      UsageReports reports = context.getBean(UsageReports.class);
      for (String window : List.of("1h", "1d", "7d", "30d")) {
        Duration d = window.equals("1h") ? Duration.ofHours(1)
            : Duration.ofDays(Long.parseLong(window.replace("d", "")));
        for (Dimension by : List.of(Dimension.MODEL, Dimension.CUSTOMER)) {
          time("market-share by=" + by.wire() + " window=" + window + " metric=tokens",
              () -> share.over(by, Metric.TOKENS, d));
        }
      }
      time("timeseries by=model days=30", () -> series.lastDays(Dimension.MODEL, Metric.TOKENS, 30));
      time("timeseries by=customer days=30",
          () -> series.lastDays(Dimension.CUSTOMER, Metric.SPEND, 30));
      LocalDate today = LocalDate.now(ZoneOffset.UTC);
      String customer = "cus_" + "0".repeat(21) + "07b";
      time("statement 30 days one customer",
          () -> reports.statement(customer, new DateRange(today.minusDays(29), today)));
      System.out.println("EXPLAIN ANALYZE of the 30d market share by customer (ledger edges):");
      db.rows("EXPLAIN (ANALYZE, BUFFERS) SELECT customer_id, sum(prompt_tokens + completion_tokens)"
          + " FROM ledger WHERE coalesce(finished_at, recorded_at) >= now() - interval '30 min'"
          + " GROUP BY 1").forEach(r -> System.out.println("  " + r.get(0)));
      db.rows("EXPLAIN (ANALYZE, BUFFERS) SELECT value, sum(tokens) FROM usage_hourly"
          + " WHERE dimension = 'customer' AND hour >= now() - interval '30 days' GROUP BY value")
          .forEach(r -> System.out.println("  " + r.get(0)));
    }
  }

  private static void time(String name, Supplier<?> query) {
    long[] ms = new long[11];
    for (int i = -2; i < ms.length; i++) {
      long t = System.nanoTime();
      query.get();
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t) / 1000;
      }
    }
    Arrays.sort(ms);
    System.out.printf("RESULT %-50s median %7.1f ms  (min %.1f, max %.1f)%n", name,
        ms[5] / 1000.0, ms[0] / 1000.0, ms[10] / 1000.0);
  }

  private static double secs(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
