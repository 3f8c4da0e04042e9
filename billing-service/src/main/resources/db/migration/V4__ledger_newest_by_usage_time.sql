-- "Newest first" per customer means by usage time, the time every statement and chart uses,
-- not by insertion order: seq follows the order in which concurrent ingest transactions got
-- their rows, and a usage event replayed from a router's spool hours late would otherwise be
-- listed as the newest. seq stays as the tie-break, so the order is total.
CREATE INDEX ledger_customer_used_at_idx
    ON ledger (customer_id, (coalesce(finished_at, recorded_at)) DESC, seq DESC);
DROP INDEX ledger_customer_seq_idx;
