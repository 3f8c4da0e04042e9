package dev.silkroute.billing.ledger;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.silkroute.billing.ledger.Verdict.Accepted;
import dev.silkroute.billing.ledger.Verdict.Kind;
import dev.silkroute.billing.ledger.Verdict.Rejected;
import dev.silkroute.proto.v1.UsageEvent;
import java.time.Instant;

/**
 * Decides whether a usage record can be billed and turns it into a {@link LedgerEntry}.
 *
 * <p>Everything this class accepts must be storable: a record that PostgreSQL would refuse would
 * fail its whole batch again and again and block the partition, so such records are rejected
 * here (and dead-lettered) instead. Negative counts or money are rejected because a negative
 * price would credit the customer.
 */
public final class UsageEventRules {

  static final int MAX_ID_LENGTH = 128;
  /** 10^15: a billion USD in micros, or a quadrillion tokens; far above any real request. */
  static final long MAX_AMOUNT = 1_000_000_000_000_000L;
  // Timestamp's documented range, 0001-01-01 to 9999-12-31, which PostgreSQL can hold.
  private static final long MIN_SECONDS = -62_135_596_800L;
  private static final long MAX_SECONDS = 253_402_300_799L;

  public Verdict judge(byte[] value, LedgerEntry.Source source) {
    if (value == null) {
      return new Rejected(Kind.UNDECODABLE, "record has no value (tombstone)");
    }
    UsageEvent event;
    try {
      event = UsageEvent.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      return new Rejected(Kind.UNDECODABLE, "not a silkroute.v1.UsageEvent: " + e.getMessage());
    }
    return judge(event, source);
  }

  public Verdict judge(UsageEvent event, LedgerEntry.Source source) {
    String problem = problemWith(event);
    if (problem != null) {
      return new Rejected(Kind.INVALID, problem);
    }
    return new Accepted(new LedgerEntry(
        event.getEventId(),
        event.getCustomerId(),
        emptyToNull(event.getKeyId()),
        emptyToNull(event.getModel()),
        emptyToNull(event.getModelAuthor()),
        emptyToNull(event.getProvider()),
        emptyToNull(event.getEndpoint()),
        emptyToNull(event.getWorkerId()),
        event.getPromptTokens(),
        event.getCompletionTokens(),
        event.getCachedTokens(),
        event.getReasoningTokens(),
        event.getProviderCostMicros(),
        event.getPriceMicros(),
        event.getLatencyMs(),
        event.getTimeToFirstTokenMs(),
        event.getGenerationMs(),
        statusName(event),
        emptyToNull(event.getFinishReason()),
        event.getAttempts(),
        event.getStreamed(),
        event.hasStartedAt() ? toInstant(event.getStartedAt()) : null,
        event.hasFinishedAt() ? toInstant(event.getFinishedAt()) : null,
        emptyToNull(event.getRouterInstance()),
        source,
        event.getHedgeLoss()));
  }

  private static String problemWith(UsageEvent e) {
    if (e.getEventId().isBlank()) {
      return "event_id is empty";
    }
    if (e.getEventId().length() > MAX_ID_LENGTH) {
      return "event_id is longer than " + MAX_ID_LENGTH + " characters";
    }
    if (e.getCustomerId().isBlank()) {
      return "customer_id is empty";
    }
    if (e.getCustomerId().length() > MAX_ID_LENGTH) {
      return "customer_id is longer than " + MAX_ID_LENGTH + " characters";
    }
    String[][] texts = {
        {"event_id", e.getEventId()}, {"customer_id", e.getCustomerId()}, {"key_id", e.getKeyId()},
        {"model", e.getModel()}, {"model_author", e.getModelAuthor()}, {"provider", e.getProvider()},
        {"endpoint", e.getEndpoint()}, {"worker_id", e.getWorkerId()},
        {"finish_reason", e.getFinishReason()}, {"router_instance", e.getRouterInstance()}};
    for (String[] text : texts) {
      // PostgreSQL text cannot hold NUL.
      if (text[1].indexOf('\u0000') >= 0) {
        return text[0] + " contains a NUL character";
      }
    }
    long[] amounts = {e.getPromptTokens(), e.getCompletionTokens(), e.getCachedTokens(),
        e.getReasoningTokens(), e.getProviderCostMicros(), e.getPriceMicros(), e.getLatencyMs(),
        e.getTimeToFirstTokenMs(), e.getGenerationMs(), e.getAttempts()};
    String[] names = {"prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens",
        "provider_cost_micros", "price_micros", "latency_ms", "time_to_first_token_ms",
        "generation_ms", "attempts"};
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] < 0) {
        return names[i] + " is negative (" + amounts[i] + ")";
      }
      // Sums of such values in the aggregates would overflow bigint and fail every batch after.
      if (amounts[i] > MAX_AMOUNT) {
        return names[i] + " is implausibly large (" + amounts[i] + ")";
      }
    }
    if (e.hasStartedAt() && !isStorable(e.getStartedAt())) {
      return "started_at is out of range";
    }
    if (e.hasFinishedAt() && !isStorable(e.getFinishedAt())) {
      return "finished_at is out of range";
    }
    return null;
  }

  private static boolean isStorable(Timestamp t) {
    return t.getSeconds() >= MIN_SECONDS && t.getSeconds() <= MAX_SECONDS
        && t.getNanos() >= 0 && t.getNanos() <= 999_999_999;
  }

  private static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** ok | error | cancelled | truncated | unspecified; a status from a newer producer is "unknown". */
  private static String statusName(UsageEvent e) {
    return switch (e.getStatus()) {
      case USAGE_STATUS_OK -> "ok";
      case USAGE_STATUS_ERROR -> "error";
      case USAGE_STATUS_CANCELLED -> "cancelled";
      case USAGE_STATUS_TRUNCATED -> "truncated";
      case USAGE_STATUS_UNSPECIFIED -> "unspecified";
      case UNRECOGNIZED -> "unknown";
    };
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
