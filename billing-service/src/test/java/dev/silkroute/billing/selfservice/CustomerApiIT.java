package dev.silkroute.billing.selfservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.AdminHttp.Reply;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.ledger.LedgerEntry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Customers read their own key, credits and usage with their own API key, and nothing else. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CustomerApiIT implements TestPropertyProvider {

  private final Map<String, String> properties = BillingTestProperties.withoutKafka("selfservice");

  @Inject
  EmbeddedServer server;
  @Inject
  Ledger ledger;

  private AdminHttp http;
  private Customer alice;
  private Customer bob;

  record Customer(String id, String keyId, String key) {
  }

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @BeforeAll
  void customersWithUsage() {
    http = new AdminHttp(URI.create(server.getURL().toString() + "/"));
    alice = customer("Alice", 5_000_000, "{\"label\":\"alice-ci\",\"credit_limit_micros\":"
        + "1000000,\"requests_per_minute\":60,\"allowed_models\":[\"qwen/qwen3-235b\"]}");
    bob = customer("Bob", 2_000_000, "{}");
    Instant yesterday = Instant.now().minus(1, ChronoUnit.DAYS);
    ledger.record(List.of(
        entry(alice, "qwen/qwen3-235b", 1_500, yesterday),
        entry(alice, "qwen/qwen3-235b", 2_500, Instant.now()),
        entry(alice, "deepseek/deepseek-v3", 700, Instant.now()),
        entry(bob, "openai/gpt-4o", 99_000, Instant.now())));
  }

  private Customer customer(String name, long credit, String keyBody) {
    String id = http.post("admin/customers", "{\"name\":\"" + name + "\"}").body().get("id")
        .asText();
    http.post("admin/customers/" + id + "/credits", "{\"amount_micros\":" + credit + "}");
    Reply key = http.post("admin/customers/" + id + "/keys", keyBody);
    assertThat(key.status()).as(key.raw()).isEqualTo(201);
    return new Customer(id, key.body().get("id").asText(), key.body().get("key").asText());
  }

  private static LedgerEntry entry(Customer c, String model, long price, Instant finished) {
    return new LedgerEntry("gen-" + UUID.randomUUID().toString().replace("-", ""), c.id(),
        c.keyId(), model, model.substring(0, model.indexOf('/')), "provider-x", null, null, 100,
        20, 0, 0, price / 2, price, 10, 5, 5, "ok", "stop", 1, false, finished, finished, null,
        new LedgerEntry.Source("test", 0, 0));
  }

  @Test
  void keyShowsItsOwnLimitsAndUsage() {
    Reply reply = http.get("v1/key", alice.key());

    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    JsonNode data = reply.body().get("data");
    assertThat(data.get("label").asText()).isEqualTo("alice-ci");
    assertThat(data.get("usage_micros").asLong()).isEqualTo(4_700);
    assertThat(new BigDecimal(data.get("usage").asText())).isEqualByComparingTo("0.0047");
    assertThat(data.get("limit_micros").asLong()).isEqualTo(1_000_000);
    assertThat(new BigDecimal(data.get("limit").asText())).isEqualByComparingTo("1");
    assertThat(data.get("limit_remaining_micros").asLong()).isEqualTo(995_300);
    assertThat(data.at("/rate_limit/requests").asInt()).isEqualTo(60);
    assertThat(data.at("/rate_limit/tokens").isNull()).isTrue();
    assertThat(data.get("allowed_models").get(0).asText()).isEqualTo("qwen/qwen3-235b");
    JsonNode bobs = http.get("api/v1/key", bob.key()).body().get("data");
    assertThat(bobs.get("usage_micros").asLong()).isEqualTo(99_000);
    assertThat(bobs.get("limit").isNull()).isTrue();
    assertThat(bobs.get("limit_remaining").isNull()).isTrue();
  }

  @Test
  void creditsAreTheCustomersOwn() {
    JsonNode a = http.get("v1/credits", alice.key()).body().get("data");
    JsonNode b = http.get("v1/credits", bob.key()).body().get("data");

    assertThat(a.get("total_credits_micros").asLong()).isEqualTo(5_000_000);
    assertThat(a.get("total_usage_micros").asLong()).isEqualTo(4_700);
    assertThat(new BigDecimal(a.get("total_credits").asText())).isEqualByComparingTo("5");
    assertThat(a.get("balance_micros").asLong()).isEqualTo(4_995_300);
    assertThat(b.get("total_credits_micros").asLong()).isEqualTo(2_000_000);
    assertThat(b.get("total_usage_micros").asLong()).isEqualTo(99_000);
  }

  @Test
  void usageIsByDayAndModelAndOnlyTheCustomersOwn() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    Reply reply = http.get("v1/usage?from=" + today.minusDays(2) + "&to=" + today, alice.key());

    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    JsonNode data = reply.body().get("data");
    assertThat(data).hasSize(3);
    long total = 0;
    for (JsonNode row : data) {
      assertThat(row.get("model").asText()).isNotEqualTo("openai/gpt-4o");
      total += row.get("cost_micros").asLong();
    }
    assertThat(total).isEqualTo(4_700);
    JsonNode bobs = http.get("v1/usage", bob.key()).body().get("data");
    assertThat(bobs).hasSize(1);
    assertThat(bobs.get(0).get("model").asText()).isEqualTo("openai/gpt-4o");
    assertThat(http.get("v1/usage?from=yesterday", alice.key()).status()).isEqualTo(400);
  }

  @Test
  void refusesMissingWrongAndRevokedKeysWithOpenAiShaped401() {
    Customer carol = customer("Carol", 1_000, "{}");
    assertThat(http.post("admin/keys/" + carol.keyId() + "/revoke", "").status()).isEqualTo(200);

    for (String token : new String[] {null, "sk-sr-v1-" + "0".repeat(64), "", carol.key(),
        AdminHttp.TOKEN}) {
      Reply reply = token == null ? http.getWithoutToken("v1/credits") : http.get("v1/credits", token);
      assertThat(reply.status()).as(String.valueOf(token)).isEqualTo(401);
      assertThat(reply.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
      assertThat(reply.body().at("/error/message").asText()).isNotBlank();
    }
  }
}
