package dev.silkroute.billing.ledger;

import java.time.Instant;

/**
 * Ledger entries in PostgreSQL's COPY text format (tab-separated, {@code \N} for null,
 * backslash escapes), which loads several times faster than bound multi-row INSERTs.
 */
final class CopyText {

  /** The staging columns, in the order {@link #append} writes them. */
  static final String COLUMNS = "event_id, customer_id, key_id, model, model_author, provider,"
      + " endpoint, worker_id, prompt_tokens, completion_tokens, cached_tokens, reasoning_tokens,"
      + " provider_cost_micros, price_micros, latency_ms, time_to_first_token_ms, generation_ms,"
      + " status, finish_reason, attempts, streamed, started_at, finished_at, router_instance,"
      + " kafka_topic, kafka_partition, kafka_offset, hedge_loss";

  private CopyText() {
  }

  static void append(StringBuilder out, LedgerEntry e) {
    text(out, e.eventId()).append('\t');
    text(out, e.customerId()).append('\t');
    text(out, e.keyId()).append('\t');
    text(out, e.model()).append('\t');
    text(out, e.modelAuthor()).append('\t');
    text(out, e.provider()).append('\t');
    text(out, e.endpoint()).append('\t');
    text(out, e.workerId()).append('\t');
    out.append(e.promptTokens()).append('\t');
    out.append(e.completionTokens()).append('\t');
    out.append(e.cachedTokens()).append('\t');
    out.append(e.reasoningTokens()).append('\t');
    out.append(e.providerCostMicros()).append('\t');
    out.append(e.priceMicros()).append('\t');
    out.append(e.latencyMs()).append('\t');
    out.append(e.timeToFirstTokenMs()).append('\t');
    out.append(e.generationMs()).append('\t');
    text(out, e.status()).append('\t');
    text(out, e.finishReason()).append('\t');
    out.append(e.attempts()).append('\t');
    out.append(e.streamed() ? 't' : 'f').append('\t');
    instant(out, e.startedAt()).append('\t');
    instant(out, e.finishedAt()).append('\t');
    text(out, e.routerInstance()).append('\t');
    text(out, e.source().topic()).append('\t');
    out.append(e.source().partition()).append('\t');
    out.append(e.source().offset()).append('\t');
    out.append(e.hedgeLoss() ? 't' : 'f').append('\n');
  }

  /** ISO-8601 with 'Z', which PostgreSQL reads as a timestamptz; years 1..9999 (see the rules). */
  private static StringBuilder instant(StringBuilder out, Instant instant) {
    return instant == null ? out.append("\\N") : out.append(instant);
  }

  static StringBuilder text(StringBuilder out, String s) {
    if (s == null) {
      return out.append("\\N");
    }
    if (!needsEscape(s)) {
      // Ids, model names and the like never need escaping: append them whole, not by char.
      return out.append(s);
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out;
  }

  private static boolean needsEscape(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return false;
  }
}
