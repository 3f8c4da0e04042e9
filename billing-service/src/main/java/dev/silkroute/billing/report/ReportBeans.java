package dev.silkroute.billing.report;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import javax.sql.DataSource;

/** Micronaut wiring for the read side: statements, usage, analytics. */
@Factory
final class ReportBeans {

  @Singleton
  UsageReports usageReports(DataSource dataSource) {
    return new UsageReports(dataSource);
  }

  @Singleton
  MarketShare marketShare(DataSource dataSource, Clock clock) {
    return new MarketShare(dataSource, clock);
  }

  @Singleton
  HedgingCost hedgingCost(DataSource dataSource) {
    return new HedgingCost(dataSource);
  }

  @Singleton
  Timeseries timeseries(DataSource dataSource, Clock clock) {
    return new Timeseries(dataSource, clock);
  }
}
