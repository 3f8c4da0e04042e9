package dev.silkroute.billing.ledger;

import java.util.Collection;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a set of newly recorded entries adds to one customer's running totals. Every event counts
 * as a request and its {@code price_micros} is charged whatever its status: the router already
 * priced only what was served (see usage.proto).
 */
public record BalanceDelta(long spentMicros, long requests, long promptTokens, long completionTokens) {

  static final BalanceDelta ZERO = new BalanceDelta(0, 0, 0, 0);

  BalanceDelta plus(LedgerEntry e) {
    return new BalanceDelta(
        Math.addExact(spentMicros, e.priceMicros()),
        Math.addExact(requests, 1),
        Math.addExact(promptTokens, e.promptTokens()),
        Math.addExact(completionTokens, e.completionTokens()));
  }

  /**
   * Per customer, sorted by customer id so that concurrent writers lock balance rows in the same
   * order and cannot deadlock.
   */
  public static SortedMap<String, BalanceDelta> byCustomer(Collection<LedgerEntry> entries) {
    SortedMap<String, BalanceDelta> deltas = new TreeMap<>();
    for (LedgerEntry e : entries) {
      deltas.merge(e.customerId(), ZERO.plus(e), BalanceDelta::sum);
    }
    return deltas;
  }

  private static BalanceDelta sum(BalanceDelta a, BalanceDelta b) {
    return new BalanceDelta(
        Math.addExact(a.spentMicros, b.spentMicros),
        Math.addExact(a.requests, b.requests),
        Math.addExact(a.promptTokens, b.promptTokens),
        Math.addExact(a.completionTokens, b.completionTokens));
  }
}
