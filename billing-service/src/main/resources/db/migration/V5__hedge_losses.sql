-- Hedged first tokens (router): a request whose first token is late may also be sent to a second
-- endpoint; the first to stream serves it, and the other leg arrives as a usage event of its own
-- (event id "<generation id>-hedge", hedge_loss = true, price 0). What that leg consumed is the
-- operator's cost, never the customer's: its row stays in the ledger, but it counts in no customer
-- total (balances, key usage, requests, tokens, market share). usage_daily keeps its provider cost
-- (in provider_cost_micros, what serving really cost, and apart in hedge_cost_micros) and how many
-- there were, so that analytics show what hedging costs.
ALTER TABLE ledger ADD COLUMN hedge_loss boolean NOT NULL DEFAULT false;
ALTER TABLE usage_daily
  ADD COLUMN hedge_losses      bigint NOT NULL DEFAULT 0,
  ADD COLUMN hedge_cost_micros bigint NOT NULL DEFAULT 0;
