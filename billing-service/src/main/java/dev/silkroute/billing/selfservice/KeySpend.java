package dev.silkroute.billing.selfservice;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What the ledger has charged through one key ({@code key_usage}, kept with the ledger). */
@Singleton
final class KeySpend {

  private final DataSource dataSource;

  KeySpend(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  record Spent(long micros, long requests) {
  }

  Spent of(String keyId) {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement(
             "SELECT spent_micros, requests FROM key_usage WHERE key_id = ?")) {
      ps.setString(1, keyId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? new Spent(rs.getLong(1), rs.getLong(2)) : new Spent(0, 0);
      }
    } catch (SQLException e) {
      throw new LedgerUnavailableException("could not read the usage of key " + keyId, e);
    }
  }
}
