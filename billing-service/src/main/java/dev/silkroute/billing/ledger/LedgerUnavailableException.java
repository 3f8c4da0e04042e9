package dev.silkroute.billing.ledger;

import java.sql.SQLException;

/** The ledger could not be written or read (database down, lock timeout, ...); worth retrying. */
public final class LedgerUnavailableException extends RuntimeException {
  public LedgerUnavailableException(String what, SQLException cause) {
    super(what + ": " + cause.getMessage() + " (SQLState " + cause.getSQLState() + ")", cause);
  }
}
