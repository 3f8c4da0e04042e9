package dev.silkroute.billing;

import io.micronaut.runtime.Micronaut;

/** billing-service: usage events from Kafka into the PostgreSQL ledger; customers, keys, credits. */
public final class BillingApplication {

  private BillingApplication() {
  }

  public static void main(String[] args) {
    Micronaut.run(BillingApplication.class, args);
  }
}
