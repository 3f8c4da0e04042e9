package dev.silkroute.billing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recomputes every aggregate billing keeps from the ledger rows themselves and compares: a
 * double-counted replay or a lost increment shows up as a difference.
 */
public final class AggregateChecks {

  private static final String USED_AT = "coalesce(finished_at, recorded_at)";

  private AggregateChecks() {
  }

  public static void assertAggregatesMatchLedger(LedgerRows db) {
    assertThat(db.rows("SELECT customer_id, day, model, provider, model_author, requests,"
        + " prompt_tokens, completion_tokens, price_micros, provider_cost_micros FROM usage_daily"
        + " ORDER BY 1, 2, 3, 4, 5"))
        .as("usage_daily = ledger grouped by customer, day, model, provider")
        .isNotEmpty()
        .isEqualTo(db.rows("SELECT customer_id, (" + USED_AT + " AT TIME ZONE 'UTC')::date,"
            + " coalesce(model, ''), coalesce(provider, ''), coalesce(model_author, ''), count(*),"
            + " sum(prompt_tokens), sum(completion_tokens), sum(price_micros),"
            + " sum(provider_cost_micros) FROM ledger GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5"));
    assertThat(db.rows("SELECT dimension, hour, value, requests, tokens, price_micros,"
        + " provider_cost_micros FROM usage_hourly ORDER BY 1, 2, 3"))
        .as("usage_hourly = ledger grouped by hour and each dimension")
        .isEqualTo(db.rows("SELECT d, date_trunc('hour', " + USED_AT + ", 'UTC'),"
            + " CASE d WHEN 'author' THEN coalesce(model_author, '')"
            + " WHEN 'model' THEN coalesce(model, '') WHEN 'provider' THEN coalesce(provider, '')"
            + " ELSE customer_id END, count(*), sum(prompt_tokens + completion_tokens),"
            + " sum(price_micros), sum(provider_cost_micros)"
            + " FROM ledger CROSS JOIN (VALUES ('author'), ('model'), ('provider'), ('customer'))"
            + " AS x (d) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"));
    assertThat(db.rows("SELECT key_id, spent_micros, requests, prompt_tokens, completion_tokens"
        + " FROM key_usage ORDER BY 1"))
        .as("key_usage = ledger grouped by key")
        .isEqualTo(db.rows("SELECT key_id, sum(price_micros), count(*), sum(prompt_tokens),"
            + " sum(completion_tokens) FROM ledger WHERE key_id IS NOT NULL GROUP BY 1 ORDER BY 1"));
    assertThat(db.rows("SELECT customer_id, spent_micros, requests, prompt_tokens,"
        + " completion_tokens FROM customer_balances WHERE requests > 0 ORDER BY 1"))
        .as("customer_balances = ledger grouped by customer")
        .isEqualTo(db.rows("SELECT customer_id, sum(price_micros), count(*), sum(prompt_tokens),"
            + " sum(completion_tokens) FROM ledger GROUP BY 1 ORDER BY 1"));
  }
}
