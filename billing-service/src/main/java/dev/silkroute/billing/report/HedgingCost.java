package dev.silkroute.billing.report;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What hedged first tokens cost the operator, from the daily aggregates: the legs of hedged requests
 * that did not serve them (hedge losses), and their provider cost beside all provider cost, per
 * provider. Money is micro-USD.
 */
public final class HedgingCost {

  private final DataSource dataSource;

  public HedgingCost(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** One provider's hedge losses, and what serving cost there in all. */
  public record ByProvider(String provider, long hedgeLosses, long hedgeCostMicros, long providerCostMicros) {
  }

  /** The providers with hedge losses in the range, dearest first, and their sums. */
  public record Report(DateRange range, long hedgeLosses, long hedgeCostMicros, long providerCostMicros,
      List<ByProvider> providers) {
  }

  public Report over(DateRange range) {
    String sql = "SELECT provider, sum(hedge_losses)::bigint, sum(hedge_cost_micros)::bigint,"
        + " sum(provider_cost_micros)::bigint FROM usage_daily WHERE day >= ? AND day <= ?"
        + " GROUP BY provider ORDER BY 3 DESC, 1";
    List<ByProvider> providers = new ArrayList<>();
    long losses = 0;
    long hedgeCost = 0;
    long providerCost = 0;
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setDate(1, Date.valueOf(range.from()));
      ps.setDate(2, Date.valueOf(range.to()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ByProvider row = new ByProvider(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
          losses = Math.addExact(losses, row.hedgeLosses());
          hedgeCost = Math.addExact(hedgeCost, row.hedgeCostMicros());
          providerCost = Math.addExact(providerCost, row.providerCostMicros());
          if (row.hedgeLosses() > 0) {
            providers.add(row);
          }
        }
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read the cost of hedging", e);
    }
    return new Report(range, losses, hedgeCost, providerCost, providers);
  }
}
