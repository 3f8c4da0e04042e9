-- Silkroute billing ledger. PostgreSQL is the truth for customers, API keys (hashes only),
-- credit grants, usage and balances; Redis only holds copies. Money is bigint micro-USD.

CREATE TABLE customers (
  id         text PRIMARY KEY CHECK (id ~ '^cus_[0-9a-f]{24}$'),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
  id          text PRIMARY KEY CHECK (id ~ '^key_[0-9a-f]{24}$'),
  customer_id text NOT NULL REFERENCES customers (id),
  label       text,
  -- SHA-256 hex of the whole key string; the key itself is shown once and never stored.
  key_hash    text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  -- First 12 characters of the key, so that people can tell their keys apart.
  key_prefix  text NOT NULL,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE INDEX api_keys_customer_idx ON api_keys (customer_id);

CREATE TABLE credit_grants (
  id            bigserial PRIMARY KEY,
  customer_id   text NOT NULL REFERENCES customers (id),
  amount_micros bigint NOT NULL CHECK (amount_micros > 0),
  note          text,
  created_at    timestamptz NOT NULL
);
CREATE INDEX credit_grants_customer_idx ON credit_grants (customer_id);

-- One row per usage event; the primary key on event_id makes a replayed event a no-op.
-- Deliberately no foreign key to customers and no CHECKs on the numbers: usage that happened is
-- recorded whatever it says (billing's rules reject what cannot be stored before it gets here),
-- because a row PostgreSQL refused would block its Kafka partition.
CREATE TABLE ledger (
  seq                    bigserial NOT NULL UNIQUE, -- insertion order, for "newest first" and cursors
  event_id               text PRIMARY KEY,
  customer_id            text NOT NULL,
  key_id                 text,
  model                  text,
  model_author           text,
  provider               text,
  endpoint               text,
  worker_id              text,
  prompt_tokens          bigint NOT NULL,
  completion_tokens      bigint NOT NULL,
  cached_tokens          bigint NOT NULL,
  reasoning_tokens       bigint NOT NULL,
  provider_cost_micros   bigint NOT NULL,
  price_micros           bigint NOT NULL,
  latency_ms             bigint NOT NULL,
  time_to_first_token_ms bigint NOT NULL,
  generation_ms          bigint NOT NULL,
  status                 text NOT NULL, -- ok | error | cancelled | truncated | unspecified | unknown
  finish_reason          text,
  attempts               integer NOT NULL,
  streamed               boolean NOT NULL,
  started_at             timestamptz,
  finished_at            timestamptz,
  router_instance        text,
  kafka_topic            text NOT NULL,
  kafka_partition        integer NOT NULL,
  kafka_offset           bigint NOT NULL,
  recorded_at            timestamptz NOT NULL
);
CREATE INDEX ledger_customer_seq_idx ON ledger (customer_id, seq DESC);
CREATE INDEX ledger_finished_at_idx ON ledger (finished_at);

-- Running totals per customer, updated in the same transaction as the rows they sum
-- (ledger inserts that actually inserted, credit grants). balance = credit_granted - spent.
CREATE TABLE customer_balances (
  customer_id           text PRIMARY KEY,
  credit_granted_micros bigint NOT NULL DEFAULT 0,
  spent_micros          bigint NOT NULL DEFAULT 0,
  requests              bigint NOT NULL DEFAULT 0,
  prompt_tokens         bigint NOT NULL DEFAULT 0,
  completion_tokens     bigint NOT NULL DEFAULT 0,
  updated_at            timestamptz NOT NULL
);
