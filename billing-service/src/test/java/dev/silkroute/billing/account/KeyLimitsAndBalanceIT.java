package dev.silkroute.billing.account;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.AdminHttp.Reply;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.LedgerRows;
import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.ledger.LedgerEntry;
import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Per-key limits in PostgreSQL and the key's Redis hash; the Redis balance contract. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyLimitsAndBalanceIT implements TestPropertyProvider {

  private final Map<String, String> properties = BillingTestProperties.withoutKafka("limits");

  @Inject
  EmbeddedServer server;
  @Inject
  ApiKeys apiKeys;
  @Inject
  Balances balances;
  @Inject
  Ledger ledger;

  private AdminHttp http;
  private LedgerRows db;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> connection;
  private RedisCommands<String, String> redis;

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @BeforeAll
  void connect() {
    http = new AdminHttp(URI.create(server.getURL().toString() + "/"));
    db = new LedgerRows(properties.get("datasources.default.url"));
    redisClient = RedisClient.create(Infra.redis().uri());
    connection = redisClient.connect();
    redis = connection.sync();
  }

  @AfterAll
  void disconnect() {
    List<String> ours = redis.keys(prefix() + "*");
    if (!ours.isEmpty()) {
      redis.del(ours.toArray(String[]::new));
    }
    connection.close();
    redisClient.shutdown();
  }

  private String prefix() {
    return properties.get("silkroute.redis.key-prefix");
  }

  private String customer() {
    return http.post("admin/customers", "{\"name\":\"Limits\"}").body().get("id").asText();
  }

  private RedisKeys keys() {
    return new RedisKeys(prefix());
  }

  private String keyHash(Reply created) {
    return keys().apiKey(ApiKeyHash.sha256Hex(created.body().get("key").asText()));
  }

  /** The key's hash as the routers read it. */
  private ApiKeyRecord recorded(Reply created) {
    return ApiKeyRecord.fromHash(redis.hgetall(keyHash(created))).orElseThrow();
  }

  @Test
  void createsAKeyWithLimitsMirroredToRedis() {
    Reply created = http.post("admin/customers/" + customer() + "/keys", "{\"label\":\"ci runner\","
        + "\"credit_limit_micros\":2500000,\"requests_per_minute\":30,\"tokens_per_minute\":90000,"
        + "\"allowed_models\":[\"qwen/qwen3-235b\",\"deepseek/deepseek-v3\"]}");

    assertThat(created.status()).as(created.raw()).isEqualTo(201);
    assertThat(created.body().at("/limits/tokens_per_minute").asLong()).isEqualTo(90_000);
    ApiKeyRecord recorded = recorded(created);
    assertThat(recorded.active()).isTrue();
    assertThat(recorded.limits()).isEqualTo(new KeyLimits(2_500_000L, 30, 90_000L,
        List.of("qwen/qwen3-235b", "deepseek/deepseek-v3")).recorded());
    assertThat(recorded.limits().allowedModels()).containsExactly("qwen/qwen3-235b", "deepseek/deepseek-v3");
    assertThat(recorded.label()).isEqualTo("ci runner");
  }

  @Test
  void patchSetsKeepsAndRemovesLimitsInPostgresAndRedis() {
    Reply created = http.post("admin/customers/" + customer() + "/keys", "{}");
    String keyId = created.body().get("id").asText();
    assertThat(redis.hgetall(keyHash(created))).doesNotContainKeys(
        dev.silkroute.contracts.KeyLimits.FIELDS.toArray(String[]::new));

    Reply set = http.patch("admin/keys/" + keyId, "{\"requests_per_minute\":10,"
        + "\"tokens_per_minute\":5000,\"allowed_models\":[\"a/b\"]}");
    Reply kept = http.patch("admin/keys/" + keyId, "{\"credit_limit_micros\":700}");
    ApiKeyRecord afterKeep = recorded(created);
    Reply removed = http.patch("admin/keys/" + keyId, "{\"tokens_per_minute\":null,"
        + "\"allowed_models\":null}");

    assertThat(set.status()).as(set.raw()).isEqualTo(200);
    assertThat(kept.body().at("/limits/requests_per_minute").asInt()).isEqualTo(10);
    assertThat(afterKeep.limits()).isEqualTo(new KeyLimits(700L, 10, 5000L, List.of("a/b")).recorded());
    assertThat(removed.body().at("/limits/tokens_per_minute").isNull()).isTrue();
    assertThat(redis.hgetall(keyHash(created))).doesNotContainKeys(
        dev.silkroute.contracts.KeyLimits.TOKENS_PER_MINUTE, dev.silkroute.contracts.KeyLimits.ALLOWED_MODELS);
    assertThat(recorded(created)).isEqualTo(new ApiKeyRecord(afterKeep.customerId(), keyId, ApiKeyRecord.ACTIVE,
        new KeyLimits(700L, 10, null, null).recorded()));
    assertThat(db.rows("SELECT credit_limit_micros, requests_per_minute, tokens_per_minute,"
        + " allowed_models FROM api_keys WHERE id = '" + keyId + "'"))
        .containsExactly(List.of("700", "10", "null", "null"));
    JsonNode read = http.get("admin/keys/" + keyId).body();
    assertThat(read.at("/limits/credit_limit_micros").asLong()).isEqualTo(700);
  }

  @Test
  void rejectsBadLimitsWith400NamingTheFieldAndChangesNothing() {
    Reply created = http.post("admin/customers/" + customer() + "/keys",
        "{\"requests_per_minute\":5}");
    String keyId = created.body().get("id").asText();
    Map<String, String> bodies = Map.of(
        "{\"requests_per_minute\":0}", "requests_per_minute",
        "{\"tokens_per_minute\":-1}", "tokens_per_minute",
        "{\"credit_limit_micros\":1.5}", "credit_limit_micros",
        "{\"allowed_models\":[]}", "allowed_models",
        "{\"allowed_models\":[\"a,b\"]}", "allowed_models",
        "{\"allowed_models\":\"a/b\"}", "allowed_models");
    bodies.forEach((body, field) -> {
      Reply reply = http.patch("admin/keys/" + keyId, body);
      assertThat(reply.status()).as(body).isEqualTo(400);
      assertThat(reply.body().at("/error/param").asText()).as(body).isEqualTo(field);
    });
    assertThat(http.patch("admin/keys/key_ffffffffffffffffffffffff", "{}").status())
        .isEqualTo(404);
    assertThat(recorded(created).limits().requestsPerMinute()).hasValue(5);
  }

  @Test
  void rebuildRemovesLimitFieldsPostgresNoLongerHas() {
    Reply created = http.post("admin/customers/" + customer() + "/keys", "{}");
    redis.hset(keyHash(created), new KeyLimits(null, 1, null, List.of("x/y")).recorded().hashFields());

    apiKeys.rebuildMirror();

    assertThat(recorded(created).limits()).isEqualTo(KeyLimits.NONE.recorded());
    assertThat(recorded(created).active()).isTrue();
  }

  @Test
  void grantIncrementsTheRouterBalanceWithoutOverwritingIt() {
    String customer = customer();
    String balance = keys().balance(customer);
    assertThat(http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":1000}")
        .status()).isEqualTo(201);
    assertThat(redis.get(balance)).isEqualTo("1000");
    // The router reserved 300 meanwhile; a grant must add to that, not reset it.
    redis.decrby(balance, 300);

    http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":5000}");

    assertThat(redis.get(balance)).isEqualTo("5700");
    assertThat(redis.get(keys().creditGranted(customer))).isEqualTo("6000");
  }

  @Test
  void grantSeedsAMissingBalanceWithTheWholeBalanceFromPostgres() {
    String customer = customer();
    String balance = keys().balance(customer);
    http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":1000}");
    ledger.record(List.of(entry(customer, "key_000000000000000000000001", 400)));
    redis.del(balance, keys().creditGranted(customer));

    http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":50}");

    assertThat(redis.get(balance)).isEqualTo("650");
    assertThat(redis.get(keys().creditGranted(customer))).isEqualTo("1050");
  }

  @Test
  void failsTheGrantAndRollsItBackWhenRedisRefuses() {
    String customer = customer();
    String balance = keys().balance(customer);
    redis.set(balance, "not-a-number");

    Reply reply = http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":10}");

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.raw()).doesNotContain("Exception");
    assertThat(db.number("SELECT count(*) FROM credit_grants WHERE customer_id = '" + customer
        + "'")).isZero();
    assertThat(http.get("admin/customers/" + customer).body().get("credit_granted_micros")
        .asLong()).isZero();
    assertThat(redis.get(keys().creditGranted(customer))).isNull();
  }

  @Test
  void announcesEveryChangeOfAKeyToTheRouters() throws InterruptedException {
    BlockingQueue<String> heard = new LinkedBlockingQueue<>();
    try (StatefulRedisPubSubConnection<String, String> pubSub = redisClient.connectPubSub()) {
      pubSub.addListener(new RedisPubSubAdapter<>() {
        @Override
        public void message(String channel, String message) {
          heard.add(channel + " " + message);
        }
      });
      pubSub.sync().subscribe(keys().apiKeyChanges());

      Reply created = http.post("admin/customers/" + customer() + "/keys", "{}");
      String keyId = created.body().get("id").asText();
      String hash = ApiKeyHash.sha256Hex(created.body().get("key").asText());
      http.patch("admin/keys/" + keyId, "{\"requests_per_minute\":10}");
      http.post("admin/keys/" + keyId + "/revoke", "{}");

      String expected = keys().apiKeyChanges() + " " + hash;
      assertThat(heard.poll(5, TimeUnit.SECONDS)).as("on create").isEqualTo(expected);
      assertThat(heard.poll(5, TimeUnit.SECONDS)).as("on patch").isEqualTo(expected);
      assertThat(heard.poll(5, TimeUnit.SECONDS)).as("on revoke").isEqualTo(expected);
      assertThat(recorded(created).active()).isFalse();
    }
  }

  @Test
  void seedsOnlyMissingBalancesAndKeySpendsFromTheLedger() {
    String customer = customer();
    String keyId = "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
    http.post("admin/customers/" + customer + "/credits", "{\"amount_micros\":10000}");
    String balance = keys().balance(customer);
    String spend = keys().keySpend(keyId);
    redis.set(balance, "9000"); // the router's view, with reservations in flight
    ledger.record(List.of(entry(customer, keyId, 1200), entry(customer, keyId, 300)));
    assertThat(redis.get(balance)).as("ledger writes leave the balance alone").isEqualTo("9000");

    balances.seedMissing();
    assertThat(redis.get(balance)).isEqualTo("9000");
    assertThat(redis.get(spend)).isEqualTo("1500");

    String granted = keys().creditGranted(customer);
    redis.del(balance, spend, granted);
    Balances.Rebuild rebuild = balances.seedMissing();

    assertThat(redis.get(balance)).isEqualTo("8500");
    assertThat(redis.get(spend)).isEqualTo("1500");
    assertThat(redis.get(granted)).isEqualTo("10000");
    assertThat(rebuild.balancesSeeded()).isGreaterThanOrEqualTo(1);
    assertThat(rebuild.creditsGrantedSeeded()).isGreaterThanOrEqualTo(1);
  }

  private static LedgerEntry entry(String customer, String keyId, long price) {
    Instant now = Instant.now();
    return new LedgerEntry("gen-" + UUID.randomUUID().toString().replace("-", ""), customer,
        keyId, "m/x", "m", "p", null, null, 10, 1, 0, 0, price / 2, price, 1, 1, 1, "ok", null,
        1, false, now, now, null, new LedgerEntry.Source("test", 0, 0));
  }
}
