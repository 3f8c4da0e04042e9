package dev.silkroute.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.proto.v1.UsageStatus;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

class BalanceDeltaTest {

  private final UsageEventRules rules = new UsageEventRules();

  private LedgerEntry entry(String eventId, String customer, long price, long prompt,
      long completion, UsageStatus status) {
    return ((Verdict.Accepted) rules.judge(UsageEventRulesTest.event().setEventId(eventId)
        .setCustomerId(customer).setPriceMicros(price).setPromptTokens(prompt)
        .setCompletionTokens(completion).setStatus(status).build(),
        new LedgerEntry.Source("t", 0, 0))).entry();
  }

  @Test
  void sumsPriceRequestsAndTokensPerCustomer() {
    SortedMap<String, BalanceDelta> deltas = BalanceDelta.byCustomer(List.of(
        entry("gen-1", "cus_b", 100, 10, 1, UsageStatus.USAGE_STATUS_OK),
        entry("gen-2", "cus_a", 7, 3, 2, UsageStatus.USAGE_STATUS_OK),
        entry("gen-3", "cus_b", 250, 20, 5, UsageStatus.USAGE_STATUS_OK)));

    assertThat(deltas).containsExactly(
        java.util.Map.entry("cus_a", new BalanceDelta(7, 1, 3, 2)),
        java.util.Map.entry("cus_b", new BalanceDelta(350, 2, 30, 6)));
  }

  @Test
  void chargesWhatTheRouterPricedWhateverTheStatus() {
    SortedMap<String, BalanceDelta> deltas = BalanceDelta.byCustomer(List.of(
        entry("gen-1", "cus_a", 40, 10, 4, UsageStatus.USAGE_STATUS_CANCELLED),
        entry("gen-2", "cus_a", 0, 10, 0, UsageStatus.USAGE_STATUS_ERROR)));

    assertThat(deltas.get("cus_a")).isEqualTo(new BalanceDelta(40, 2, 20, 4));
  }

  @Test
  void isEmptyForNoEntries() {
    assertThat(BalanceDelta.byCustomer(List.of())).isEmpty();
  }
}
