-- Aggregates of the ledger, per-key limits, and the indexes analytics needs.
--
-- Every aggregate row is written in the same transaction as the ledger rows it sums, and only
-- from rows that were actually inserted (INSERT ... ON CONFLICT DO NOTHING RETURNING), so a
-- replayed event changes no aggregate. "Usage time" of a ledger row is
-- coalesce(finished_at, recorded_at): when the request ended, or when billing saw it if the
-- router did not say. Days and hours are UTC. Text dimensions the event left empty are ''.

-- Per customer x model x provider x UTC day: statements, /v1/usage, daily time series.
CREATE TABLE usage_daily (
  day                  date   NOT NULL,
  customer_id          text   NOT NULL,
  model_author         text   NOT NULL,
  model                text   NOT NULL,
  provider             text   NOT NULL,
  requests             bigint NOT NULL,
  prompt_tokens        bigint NOT NULL,
  completion_tokens    bigint NOT NULL,
  price_micros         bigint NOT NULL,
  provider_cost_micros bigint NOT NULL,
  PRIMARY KEY (customer_id, day, model, provider, model_author)
);
-- Market-wide daily series scan a day range over all customers.
CREATE INDEX usage_daily_day_idx ON usage_daily (day);

-- Per UTC hour and one dimension (author | model | provider | customer) value: market share over
-- sliding windows. One narrow row per value instead of one per combination keeps a 30-day
-- window to (hours x distinct values) rows whatever the ledger size.
CREATE TABLE usage_hourly (
  dimension            text        NOT NULL CHECK (dimension IN ('author', 'model', 'provider', 'customer')),
  hour                 timestamptz NOT NULL,
  value                text        NOT NULL,
  requests             bigint      NOT NULL,
  tokens               bigint      NOT NULL, -- prompt + completion
  price_micros         bigint      NOT NULL,
  provider_cost_micros bigint      NOT NULL,
  PRIMARY KEY (dimension, hour, value)
);

-- Per API key running totals (GET /v1/key usage, the router's keyspend rebuild).
CREATE TABLE key_usage (
  key_id            text PRIMARY KEY,
  spent_micros      bigint NOT NULL,
  requests          bigint NOT NULL,
  prompt_tokens     bigint NOT NULL,
  completion_tokens bigint NOT NULL,
  updated_at        timestamptz NOT NULL
);

-- Sliding windows read the partial hours at their edges from the ledger by usage time.
-- It replaces the plain finished_at index, which nothing reads and every insert pays for.
CREATE INDEX ledger_used_at_idx ON ledger ((coalesce(finished_at, recorded_at)));
DROP INDEX ledger_finished_at_idx;

-- Per-key limits; NULL = no limit. Mirrored into the key's Redis hash for the router.
ALTER TABLE api_keys
  ADD COLUMN credit_limit_micros bigint CHECK (credit_limit_micros > 0),
  ADD COLUMN requests_per_minute integer CHECK (requests_per_minute > 0),
  ADD COLUMN tokens_per_minute   bigint CHECK (tokens_per_minute > 0),
  ADD COLUMN allowed_models      text[] CHECK (cardinality(allowed_models) > 0);

-- Aggregates for ledger rows written before this migration.
INSERT INTO usage_daily
SELECT (coalesce(finished_at, recorded_at) AT TIME ZONE 'UTC')::date, customer_id,
       coalesce(model_author, ''), coalesce(model, ''), coalesce(provider, ''), count(*),
       sum(prompt_tokens), sum(completion_tokens), sum(price_micros), sum(provider_cost_micros)
FROM ledger GROUP BY 1, 2, 3, 4, 5;

INSERT INTO usage_hourly
SELECT d.dimension, date_trunc('hour', coalesce(l.finished_at, l.recorded_at), 'UTC'),
       CASE d.dimension WHEN 'author' THEN coalesce(l.model_author, '')
                        WHEN 'model' THEN coalesce(l.model, '')
                        WHEN 'provider' THEN coalesce(l.provider, '')
                        ELSE l.customer_id END,
       count(*), sum(l.prompt_tokens + l.completion_tokens), sum(l.price_micros),
       sum(l.provider_cost_micros)
FROM ledger l CROSS JOIN (VALUES ('author'), ('model'), ('provider'), ('customer')) d (dimension)
GROUP BY 1, 2, 3;

INSERT INTO key_usage
SELECT key_id, sum(price_micros), count(*), sum(prompt_tokens), sum(completion_tokens), now()
FROM ledger WHERE key_id IS NOT NULL GROUP BY key_id;
