package dev.silkroute.billing.ledger;

/** What the ledger rules make of one Kafka record: an entry to write, or a reason to dead-letter it. */
public sealed interface Verdict {

  /** The record becomes this ledger entry. */
  record Accepted(LedgerEntry entry) implements Verdict {
  }

  /**
   * The record cannot be billed as it is.
   *
   * @param kind bounded label for metrics ({@link Kind})
   * @param reason human-readable, for the DLQ header and the logs
   */
  record Rejected(Kind kind, String reason) implements Verdict {
  }

  enum Kind {
    /** Not a UsageEvent protobuf at all. */
    UNDECODABLE,
    /** A UsageEvent that breaks a ledger rule (missing id, negative price, ...). */
    INVALID;

    public String label() {
      return name().toLowerCase();
    }
  }
}
