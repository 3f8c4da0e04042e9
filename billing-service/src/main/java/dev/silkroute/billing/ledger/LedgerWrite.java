package dev.silkroute.billing.ledger;

/**
 * Outcome of writing a batch.
 *
 * @param recorded entries that became new ledger rows (and were charged)
 * @param duplicates entries whose event id was already in the ledger, or repeated in the batch
 */
public record LedgerWrite(int recorded, int duplicates) {
}
