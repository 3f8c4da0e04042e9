package dev.silkroute.billing.admin;

import dev.silkroute.billing.report.DateRange;
import dev.silkroute.billing.report.Dimension;
import dev.silkroute.billing.report.HedgingCost;
import dev.silkroute.billing.report.MarketShare;
import dev.silkroute.billing.report.Metric;
import dev.silkroute.billing.report.Timeseries;
import dev.silkroute.billing.report.Usd;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * Market share and daily series of tokens, spend or requests, by author/model/provider/customer; and
 * what hedged first tokens cost.
 */
@Controller("/admin/analytics")
@ExecuteOn(TaskExecutors.BLOCKING)
final class AnalyticsController {

  static final Map<String, Duration> WINDOWS = Map.of("1h", Duration.ofHours(1),
      "1d", Duration.ofDays(1), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

  private final MarketShare marketShare;
  private final Timeseries timeseries;
  private final HedgingCost hedgingCost;
  private final Clock clock;

  AnalyticsController(MarketShare marketShare, Timeseries timeseries, HedgingCost hedgingCost, Clock clock) {
    this.marketShare = marketShare;
    this.timeseries = timeseries;
    this.hedgingCost = hedgingCost;
    this.clock = clock;
  }

  record HedgingProvider(String provider, long hedgeLosses, long hedgeCostMicros, BigDecimal hedgeCostUsd,
      long providerCostMicros) {
  }

  record HedgingView(String object, LocalDate from, LocalDate to, long hedgeLosses, long hedgeCostMicros,
      BigDecimal hedgeCostUsd, long providerCostMicros, BigDecimal providerCostUsd,
      List<HedgingProvider> providers) {
  }

  /**
   * The last {@code days} UTC days (today included): hedge losses (legs of hedged requests that did
   * not serve them, billed to nobody) and their provider cost, beside all provider cost.
   */
  @Get("/hedging")
  HedgingView hedging(@Nullable @QueryValue String days) {
    int n = QueryValues.integer("days", days, 30, 1, DateRange.MAX_DAYS);
    LocalDate today = LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
    HedgingCost.Report report = hedgingCost.over(new DateRange(today.minusDays(n - 1L), today));
    return new HedgingView("hedging_cost", report.range().from(), report.range().to(), report.hedgeLosses(),
        report.hedgeCostMicros(), Usd.of(report.hedgeCostMicros()), report.providerCostMicros(),
        Usd.of(report.providerCostMicros()), report.providers().stream().map(p -> new HedgingProvider(p.provider(),
            p.hedgeLosses(), p.hedgeCostMicros(), Usd.of(p.hedgeCostMicros()), p.providerCostMicros())).toList());
  }

  record MarketShareView(String object, String by, String metric, String window, Instant from,
      Instant to, long total, List<MarketShare.Share> data) {
  }

  record Point(LocalDate date, long value) {
  }

  record Line(String key, long total, List<Point> points) {
  }

  record TimeseriesView(String object, String by, String metric, LocalDate from, LocalDate to,
      List<Line> series) {
  }

  /** {@code share} is rounded to 9 places; {@code value / total} is exact. Empty key = unknown. */
  @Get("/market-share")
  MarketShareView marketShare(@Nullable @QueryValue String by, @Nullable @QueryValue String window,
      @Nullable @QueryValue String metric) {
    Dimension dimension = dimension(by);
    Metric m = metric(metric);
    String w = window == null || window.isBlank() ? "1d" : window.trim();
    Duration duration = WINDOWS.get(w);
    if (duration == null) {
      throw ApiException.badRequest("window must be one of 1h, 1d, 7d, 30d.", "window");
    }
    MarketShare.Shares shares = marketShare.over(dimension, m, duration);
    return new MarketShareView("market_share", dimension.wire(), m.wire(), w, shares.from(),
        shares.to(), shares.total(), shares.data());
  }

  @Get("/timeseries")
  TimeseriesView timeseries(@Nullable @QueryValue String by, @Nullable @QueryValue String days,
      @Nullable @QueryValue String metric) {
    Dimension dimension = dimension(by);
    Metric m = metric(metric);
    int n = QueryValues.integer("days", days, 30, 1, 366);
    Timeseries.Series series = timeseries.lastDays(dimension, m, n);
    List<Line> lines = series.lines().stream().map(line -> {
      List<Point> points = new java.util.ArrayList<>(series.dates().size());
      for (int i = 0; i < series.dates().size(); i++) {
        points.add(new Point(series.dates().get(i), line.values()[i]));
      }
      return new Line(line.key(), line.total(), points);
    }).toList();
    return new TimeseriesView("timeseries", dimension.wire(), m.wire(), series.dates().get(0),
        series.dates().get(series.dates().size() - 1), lines);
  }

  private static Dimension dimension(String by) {
    try {
      return Dimension.ofWire(by == null || by.isBlank() ? "model" : by.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage() + ".", "by");
    }
  }

  private static Metric metric(String metric) {
    try {
      return Metric.ofWire(metric == null || metric.isBlank() ? "tokens" : metric.trim());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage() + ".", "metric");
    }
  }
}
