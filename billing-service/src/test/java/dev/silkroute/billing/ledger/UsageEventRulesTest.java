package dev.silkroute.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import dev.silkroute.billing.ledger.Verdict.Accepted;
import dev.silkroute.billing.ledger.Verdict.Kind;
import dev.silkroute.billing.ledger.Verdict.Rejected;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class UsageEventRulesTest {

  private static final LedgerEntry.Source SOURCE = new LedgerEntry.Source("silkroute.usage.v1", 2, 41);
  private final UsageEventRules rules = new UsageEventRules();

  static UsageEvent.Builder event() {
    return UsageEvent.newBuilder()
        .setEventId("gen-0123456789abcdef0123456789abcdef")
        .setCustomerId("cus_0123456789abcdef01234567")
        .setKeyId("key_0123456789abcdef01234567")
        .setModel("deepseek/deepseek-chat-v3")
        .setModelAuthor("deepseek")
        .setProvider("deepseek")
        .setEndpoint("deepseek/deepseek-chat-v3@deepseek")
        .setPromptTokens(1200)
        .setCompletionTokens(300)
        .setCachedTokens(200)
        .setReasoningTokens(50)
        .setProviderCostMicros(420)
        .setPriceMicros(510)
        .setLatencyMs(2300)
        .setTimeToFirstTokenMs(180)
        .setGenerationMs(2100)
        .setStatus(UsageStatus.USAGE_STATUS_OK)
        .setFinishReason("stop")
        .setAttempts(2)
        .setStreamed(true)
        .setStartedAt(Timestamp.newBuilder().setSeconds(1_760_000_000).setNanos(5_000_000))
        .setFinishedAt(Timestamp.newBuilder().setSeconds(1_760_000_002).setNanos(305_000_000))
        .setRouterInstance("router-a");
  }

  private Verdict judge(UsageEvent.Builder e) {
    return rules.judge(e.build().toByteArray(), SOURCE);
  }

  @Test
  void billsAnEmbeddingsEventWithoutCompletionTokensUnderItsModelAndEndpoint() {
    LedgerEntry entry = ((Accepted) judge(event().setModel("openai/text-embedding-3-small").setModelAuthor("openai")
        .setProvider("openai").setEndpoint("openai/openai/text-embedding-3-small").setPromptTokens(6)
        .setCompletionTokens(0).setCachedTokens(0).setReasoningTokens(0).setPriceMicros(1).setProviderCostMicros(1)
        .setTimeToFirstTokenMs(40).setGenerationMs(0).setStreamed(false).setAttempts(1))).entry();

    assertThat(entry.model()).isEqualTo("openai/text-embedding-3-small");
    assertThat(entry.endpoint()).isEqualTo("openai/openai/text-embedding-3-small");
    assertThat(entry.provider()).isEqualTo("openai");
    assertThat(entry.promptTokens()).isEqualTo(6);
    assertThat(entry.completionTokens()).isZero();
    assertThat(entry.priceMicros()).isEqualTo(1);
  }

  @Test
  void mapsEveryFieldOfAValidEvent() {
    LedgerEntry entry = ((Accepted) judge(event())).entry();

    assertThat(entry).isEqualTo(new LedgerEntry(
        "gen-0123456789abcdef0123456789abcdef", "cus_0123456789abcdef01234567",
        "key_0123456789abcdef01234567", "deepseek/deepseek-chat-v3", "deepseek", "deepseek",
        "deepseek/deepseek-chat-v3@deepseek", null, 1200, 300, 200, 50, 420, 510, 2300, 180, 2100,
        "ok", "stop", 2, true, Instant.ofEpochSecond(1_760_000_000, 5_000_000),
        Instant.ofEpochSecond(1_760_000_002, 305_000_000), "router-a", SOURCE));
  }

  @Test
  void leavesUnsetOptionalFieldsAndTimestampsNull() {
    LedgerEntry entry = ((Accepted) judge(UsageEvent.newBuilder()
        .setEventId("gen-1").setCustomerId("cus_1"))).entry();

    assertThat(entry.keyId()).isNull();
    assertThat(entry.finishReason()).isNull();
    assertThat(entry.startedAt()).isNull();
    assertThat(entry.finishedAt()).isNull();
    assertThat(entry.status()).isEqualTo("unspecified");
  }

  @Test
  void namesEachStatusAndToleratesOnesFromNewerProducers() {
    assertThat(((Accepted) judge(event().setStatus(UsageStatus.USAGE_STATUS_CANCELLED))).entry()
        .status()).isEqualTo("cancelled");
    assertThat(((Accepted) judge(event().setStatus(UsageStatus.USAGE_STATUS_TRUNCATED))).entry()
        .status()).isEqualTo("truncated");
    assertThat(((Accepted) judge(event().setStatusValue(99))).entry().status()).isEqualTo("unknown");
  }

  @Test
  void rejectsBytesThatAreNotAUsageEvent() {
    Verdict verdict = rules.judge("not protobuf at all".getBytes(StandardCharsets.UTF_8), SOURCE);

    assertThat(verdict).isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.kind()).isEqualTo(Kind.UNDECODABLE);
      assertThat(r.reason()).startsWith("not a silkroute.v1.UsageEvent");
    });
  }

  @Test
  void rejectsATombstone() {
    assertThat(rules.judge((byte[]) null, SOURCE)).isInstanceOfSatisfying(Rejected.class,
        r -> assertThat(r.kind()).isEqualTo(Kind.UNDECODABLE));
  }

  @Test
  void rejectsEventsWithoutIdOrCustomer() {
    assertInvalid(event().setEventId(""), "event_id is empty");
    assertInvalid(event().setEventId("  "), "event_id is empty");
    assertInvalid(event().setCustomerId(""), "customer_id is empty");
    assertInvalid(event().setEventId("g".repeat(129)), "event_id is longer than 128 characters");
  }

  @Test
  void rejectsNegativeMoneyAndCountsBecauseTheyWouldCreditTheCustomer() {
    assertInvalid(event().setPriceMicros(-1), "price_micros is negative (-1)");
    assertInvalid(event().setProviderCostMicros(-5), "provider_cost_micros is negative (-5)");
    assertInvalid(event().setCompletionTokens(-3), "completion_tokens is negative (-3)");
    assertInvalid(event().setAttempts(-1), "attempts is negative (-1)");
  }

  @Test
  void rejectsWhatPostgresCannotStore() {
    assertInvalid(event().setModel("deep\u0000seek"), "model contains a NUL character");
    assertInvalid(event().setStartedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)),
        "started_at is out of range");
    assertInvalid(event().setFinishedAt(Timestamp.newBuilder().setNanos(-1)),
        "finished_at is out of range");
  }

  private void assertInvalid(UsageEvent.Builder e, String reason) {
    assertThat(judge(e)).isEqualTo(new Rejected(Kind.INVALID, reason));
  }
}
