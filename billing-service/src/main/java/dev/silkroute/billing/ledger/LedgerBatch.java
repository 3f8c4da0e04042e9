package dev.silkroute.billing.ledger;

/**
 * Entries already rendered as COPY input (UTF-8). Built by {@link Ledger#prepare} on the Kafka
 * poll thread, so that the next batch is decoded and rendered while the database writes this one.
 */
public final class LedgerBatch {

  private final byte[] copyText;
  private final int size;

  LedgerBatch(byte[] copyText, int size) {
    this.copyText = copyText;
    this.size = size;
  }

  /** Number of entries, duplicates included. */
  public int size() {
    return size;
  }

  byte[] copyText() {
    return copyText;
  }
}
