-- Ingest hot path (docs/benchmarks/billing.md): every ledger row paid for four B-tree inserts.
-- The UNIQUE on seq is one of them, and nothing looks rows up by seq alone ("newest first"
-- per customer uses ledger_customer_seq_idx); seq comes from a sequence, so it is unique anyway.
ALTER TABLE ledger DROP CONSTRAINT ledger_seq_key;

-- Aggregate rows are updated in place by every batch. Free space on their pages lets
-- PostgreSQL make those updates HOT (no new index entries, less WAL) instead of moving the row.
ALTER TABLE customer_balances SET (fillfactor = 50);
ALTER TABLE key_usage SET (fillfactor = 50);
ALTER TABLE usage_daily SET (fillfactor = 80);
ALTER TABLE usage_hourly SET (fillfactor = 80);
