package dev.silkroute.billing.account;

import java.time.Instant;

/** A customer with the running totals of {@code customer_balances}; money in micro-USD. */
public record Account(String id, String name, Instant createdAt, long creditGrantedMicros,
    long spentMicros, long requests, long promptTokens, long completionTokens) {

  /** May be negative: usage is recorded as it happened even past the credit. */
  public long balanceMicros() {
    return creditGrantedMicros - spentMicros;
  }
}
