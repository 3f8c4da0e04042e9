package dev.silkroute.billing.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.billing.report.DateRange;
import dev.silkroute.billing.report.Dimension;
import dev.silkroute.billing.report.HedgingCost;
import dev.silkroute.billing.report.MarketShare;
import dev.silkroute.billing.report.Metric;
import dev.silkroute.billing.report.UsageReports;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hedged request's two usage events on the real ledger (PostgreSQL, migrated by Flyway): the
 * serving leg is billed as any request; the leg that lost ({@code hedge_loss}) is kept as the
 * operator's cost, and in no total of the customer's, while analytics show what hedging cost.
 */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HedgeLossLedgerIT implements TestPropertyProvider {

  private static final String CUSTOMER = "cus_0123456789abcdef01234567";
  private static final String KEY = "key_0123456789abcdef01234567";

  private final Map<String, String> properties = BillingTestProperties.withoutKafka("hedging");

  @Inject
  EmbeddedServer server;
  @Inject
  Ledger ledger;
  @Inject
  UsageReports reports;
  @Inject
  HedgingCost hedging;
  @Inject
  MarketShare marketShare;

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  private static LedgerEntry entry(UsageEvent event, long offset) {
    Verdict verdict = new UsageEventRules().judge(event, new LedgerEntry.Source("usage", 0, offset));
    assertThat(verdict).isInstanceOf(Verdict.Accepted.class);
    return ((Verdict.Accepted) verdict).entry();
  }

  private static UsageEvent.Builder event(String id, String provider, long prompt, long completion, long cost,
                                          long price) {
    Instant finished = Instant.now().minus(Duration.ofMinutes(5)); // in a whole hour's aggregate or the tail
    return UsageEvent.newBuilder().setEventId(id).setCustomerId(CUSTOMER).setKeyId(KEY)
        .setModel("deepseek/deepseek-v3").setModelAuthor("deepseek").setProvider(provider).setEndpoint(provider + "/m")
        .setPromptTokens(prompt).setCompletionTokens(completion).setProviderCostMicros(cost).setPriceMicros(price)
        .setStatus(UsageStatus.USAGE_STATUS_OK).setFinishReason("stop").setAttempts(1).setStreamed(true)
        .setFinishedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(finished.getEpochSecond()));
  }

  @Test
  void billsTheServingLegAloneAndShowsTheLosingLegAsTheOperatorsCost() {
    UsageEvent served = event("gen-h1", "quick", 20, 100, 900, 1_200).setHedged(true).setServedByHedge(true)
        .setAttempts(2).build();
    UsageEvent lost = event("gen-h1-hedge", "stalling", 20, 0, 40, 0).setHedgeLoss(true).setHedgeOf("gen-h1")
        .setStatus(UsageStatus.USAGE_STATUS_CANCELLED).setFinishReason("error").setUsageEstimated(true).build();
    UsageEvent plain = event("gen-p1", "stalling", 10, 50, 300, 400).build();

    LedgerWrite write = ledger.record(List.of(entry(served, 1), entry(lost, 2), entry(plain, 3)));
    assertThat(write.recorded()).isEqualTo(3);
    // A replay changes nothing.
    assertThat(ledger.record(List.of(entry(lost, 2))).recorded()).isZero();

    LedgerRows db = new LedgerRows(properties.get("datasources.default.url"));
    assertThat(db.number("SELECT count(*) FROM ledger WHERE hedge_loss")).isEqualTo(1);
    assertThat(ledger.find("gen-h1-hedge").orElseThrow()).containsEntry("hedge_loss", true)
        .containsEntry("price_micros", 0L).containsEntry("provider_cost_micros", 40L);
    // The customer's balance, key and statement: two requests, 1,600 micro-USD, the served tokens only.
    assertThat(db.number("SELECT spent_micros FROM customer_balances WHERE customer_id = '" + CUSTOMER + "'"))
        .isEqualTo(1_600);
    assertThat(db.number("SELECT requests FROM customer_balances WHERE customer_id = '" + CUSTOMER + "'"))
        .isEqualTo(2);
    assertThat(db.number("SELECT prompt_tokens FROM customer_balances WHERE customer_id = '" + CUSTOMER + "'"))
        .isEqualTo(30);
    assertThat(db.number("SELECT requests FROM key_usage WHERE key_id = '" + KEY + "'")).isEqualTo(2);
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    DateRange range = new DateRange(today.minusDays(1), today);
    UsageReports.Statement statement = reports.statement(CUSTOMER, range);
    assertThat(statement.total()).isEqualTo(new UsageReports.Usage(2, 30, 150, 1_600));
    assertThat(statement.lineItems()).extracting(UsageReports.LineItem::provider)
        .containsExactly("quick", "stalling");
    assertThat(statement.lineItems().get(1).usage()).as("the plain request, not the hedge's loss")
        .isEqualTo(new UsageReports.Usage(1, 10, 50, 400));
    // Market share counts requests, not the legs that lost.
    assertThat(marketShare.over(Dimension.PROVIDER, Metric.REQUESTS, Duration.ofDays(1)).total()).isEqualTo(2);

    // What hedging cost: one loss of 40 micro-USD at "stalling", of 1,240 micro-USD spent on providers.
    HedgingCost.Report cost = hedging.over(range);
    assertThat(cost.hedgeLosses()).isEqualTo(1);
    assertThat(cost.hedgeCostMicros()).isEqualTo(40);
    assertThat(cost.providerCostMicros()).isEqualTo(1_240);
    assertThat(cost.providers()).containsExactly(new HedgingCost.ByProvider("stalling", 1, 40, 340));
    AdminHttp.Reply reply = new AdminHttp(URI.create(server.getURL() + "/")).get("admin/analytics/hedging?days=2");
    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    assertThat(reply.body().path("hedge_losses").asLong()).isEqualTo(1);
    assertThat(reply.body().path("hedge_cost_usd").decimalValue()).isEqualByComparingTo("0.00004");
    assertThat(reply.body().at("/providers/0/provider").asText()).isEqualTo("stalling");
  }
}
