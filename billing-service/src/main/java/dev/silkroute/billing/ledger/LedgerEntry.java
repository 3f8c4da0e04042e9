package dev.silkroute.billing.ledger;

import java.time.Instant;

/**
 * One usage event as the ledger stores it: what was served, to whom, at what price, and where
 * in Kafka it came from. Money is micro-USD, durations milliseconds. Optional text fields that
 * the event left empty are {@code null}; timestamps the event did not carry are {@code null}.
 * {@code hedgeLoss} marks the leg of a hedged request that did not serve it: the operator's cost,
 * in no customer total.
 */
public record LedgerEntry(
    String eventId,
    String customerId,
    String keyId,
    String model,
    String modelAuthor,
    String provider,
    String endpoint,
    String workerId,
    long promptTokens,
    long completionTokens,
    long cachedTokens,
    long reasoningTokens,
    long providerCostMicros,
    long priceMicros,
    long latencyMs,
    long timeToFirstTokenMs,
    long generationMs,
    String status,
    String finishReason,
    int attempts,
    boolean streamed,
    Instant startedAt,
    Instant finishedAt,
    String routerInstance,
    Source source,
    boolean hedgeLoss) {

  /** An entry of a request's own usage (not a hedge's loss). */
  public LedgerEntry(String eventId, String customerId, String keyId, String model, String modelAuthor,
      String provider, String endpoint, String workerId, long promptTokens, long completionTokens,
      long cachedTokens, long reasoningTokens, long providerCostMicros, long priceMicros, long latencyMs,
      long timeToFirstTokenMs, long generationMs, String status, String finishReason, int attempts,
      boolean streamed, Instant startedAt, Instant finishedAt, String routerInstance, Source source) {
    this(eventId, customerId, keyId, model, modelAuthor, provider, endpoint, workerId, promptTokens,
        completionTokens, cachedTokens, reasoningTokens, providerCostMicros, priceMicros, latencyMs,
        timeToFirstTokenMs, generationMs, status, finishReason, attempts, streamed, startedAt, finishedAt,
        routerInstance, source, false);
  }

  /** The Kafka record the entry was read from, kept for audits and replays. */
  public record Source(String topic, int partition, long offset) {
  }
}
