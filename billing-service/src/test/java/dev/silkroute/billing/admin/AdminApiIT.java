package dev.silkroute.billing.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.billing.AdminHttp;
import dev.silkroute.billing.AdminHttp.Reply;
import dev.silkroute.billing.BillingTestProperties;
import dev.silkroute.billing.account.ApiKeyMirror;
import dev.silkroute.billing.account.ApiKeys;
import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.ErrorBody;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The admin API against real PostgreSQL and Redis, through a real HTTP client. */
@MicronautTest(transactional = false)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminApiIT implements TestPropertyProvider {

  private final Map<String, String> properties = BillingTestProperties.withoutKafka("admin");

  @Inject
  EmbeddedServer server;
  @Inject
  ApiKeys apiKeys;

  private AdminHttp http;
  private RedisClient redisClient;
  private StatefulRedisConnection<String, String> redisConnection;
  private RedisCommands<String, String> redis;

  @Override
  public Map<String, String> getProperties() {
    return properties;
  }

  @BeforeAll
  void connect() {
    http = new AdminHttp(URI.create(server.getURL().toString() + "/"));
    redisClient = RedisClient.create(Infra.redis().uri());
    redisConnection = redisClient.connect();
    redis = redisConnection.sync();
  }

  @AfterAll
  void disconnect() {
    List<String> ours = redis.keys(prefix() + "*");
    if (!ours.isEmpty()) {
      redis.del(ours.toArray(String[]::new));
    }
    redisConnection.close();
    redisClient.shutdown();
  }

  private RedisKeys keys() {
    return new RedisKeys(prefix());
  }

  private String prefix() {
    return properties.get("silkroute.redis.key-prefix");
  }

  private String createCustomer(String name) {
    Reply reply = http.post("admin/customers", "{\"name\":\"" + name + "\"}");
    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    return reply.body().get("id").asText();
  }

  @Test
  void createsACustomer() {
    Reply reply = http.post("admin/customers", "{\"name\":\"Acme Labs\"}");

    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.body().get("id").asText()).matches("cus_[0-9a-f]{24}");
    assertThat(reply.body().get("name").asText()).isEqualTo("Acme Labs");
    assertThat(reply.body().get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void grantsCreditsAndShowsTheBalance() {
    String id = createCustomer("Credits Inc");

    Reply grant = http.post("admin/customers/" + id + "/credits",
        "{\"amount_micros\": 5000000, \"note\": \"welcome\"}");
    http.post("admin/customers/" + id + "/credits", "{\"amount_micros\": 250}");
    Reply account = http.get("admin/customers/" + id);

    assertThat(grant.status()).isEqualTo(201);
    assertThat(grant.body().get("amount_micros").asLong()).isEqualTo(5_000_000);
    assertThat(grant.body().get("note").asText()).isEqualTo("welcome");
    assertThat(grant.body().get("customer_id").asText()).isEqualTo(id);
    assertThat(account.status()).isEqualTo(200);
    assertThat(account.body().get("credit_granted_micros").asLong()).isEqualTo(5_000_250);
    assertThat(account.body().get("spent_micros").asLong()).isZero();
    assertThat(account.body().get("balance_micros").asLong()).isEqualTo(5_000_250);
    assertThat(account.body().get("requests").asLong()).isZero();
  }

  @Test
  void issuesAKeyWhoseHashAloneIsStoredAndMirroredToRedis() throws SQLException {
    String customer = createCustomer("Keys Ltd");

    Reply reply = http.post("admin/customers/" + customer + "/keys", "{\"label\":\"ci\"}");

    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    String key = reply.body().get("key").asText();
    String keyId = reply.body().get("id").asText();
    assertThat(key).matches("sk-sr-v1-[0-9a-f]{64}");
    assertThat(keyId).matches("key_[0-9a-f]{24}");
    assertThat(reply.body().get("key_prefix").asText()).isEqualTo(key.substring(0, 12));
    assertThat(reply.body().get("customer_id").asText()).isEqualTo(customer);
    assertThat(reply.body().get("label").asText()).isEqualTo("ci");

    String hash = ApiKeyHash.sha256Hex(key);
    assertThat(redis.hgetall(keys().apiKey(hash))).isEqualTo(
        new ApiKeyRecord(customer, keyId, ApiKeyRecord.ACTIVE, KeyLimits.NONE, "ci").hashFields());
    List<String> storedValues = apiKeyRowValues(keyId);
    assertThat(storedValues).contains(hash).noneMatch(v -> v != null && v.contains(key));
  }

  @Test
  void createsAKeyWithoutABody() {
    String customer = createCustomer("No Label");

    Reply reply = http.post("admin/customers/" + customer + "/keys", "");

    assertThat(reply.status()).as(reply.raw()).isEqualTo(201);
    assertThat(reply.body().get("label").isNull()).isTrue();
  }

  @Test
  void revokesAKeyInPostgresAndRedis() throws SQLException {
    String customer = createCustomer("Revoked Co");
    Reply created = http.post("admin/customers/" + customer + "/keys", "{}");
    String keyId = created.body().get("id").asText();
    String redisKey = keys().apiKey(ApiKeyHash.sha256Hex(created.body().get("key").asText()));

    Reply revoked = http.post("admin/keys/" + keyId + "/revoke", "");
    Reply again = http.post("admin/keys/" + keyId + "/revoke", "");

    assertThat(revoked.status()).as(revoked.raw()).isEqualTo(200);
    assertThat(revoked.body().get("status").asText()).isEqualTo("revoked");
    assertThat(revoked.body().get("revoked_at").asText()).isNotBlank();
    assertThat(revoked.body().has("key")).isFalse();
    assertThat(again.body().get("revoked_at")).isEqualTo(revoked.body().get("revoked_at"));
    assertThat(redis.hget(redisKey, ApiKeyRecord.STATUS)).isEqualTo(ApiKeyRecord.REVOKED);
    assertThat(apiKeyRowValues(keyId)).contains("revoked");
  }

  @Test
  void refusesRequestsWithoutTheAdminToken() {
    Reply none = http.getWithoutToken("admin/customers/cus_000000000000000000000000");
    Reply wrong = http.post("admin/customers", "{\"name\":\"x\"}", "not-the-token");

    for (Reply r : List.of(none, wrong)) {
      assertThat(r.status()).isEqualTo(401);
      assertOpenAiError(r.body(), null);
      assertThat(r.body().at("/error/code").asText()).isEqualTo("invalid_admin_token");
    }
  }

  @Test
  void answersBadAmountsWith400NamingTheField() {
    String id = createCustomer("Bad Amounts");

    for (String body : List.of("{\"amount_micros\": -5}", "{\"amount_micros\": 0}",
        "{\"amount_micros\": 1.5}", "{\"amount_micros\": \"100\"}", "{}")) {
      Reply reply = http.post("admin/customers/" + id + "/credits", body);
      assertThat(reply.status()).as(body).isEqualTo(400);
      assertOpenAiError(reply.body(), "amount_micros");
    }
    assertThat(http.get("admin/customers/" + id).body().get("credit_granted_micros").asLong())
        .isZero();
  }

  @Test
  void answersMalformedJsonWith400() {
    Reply reply = http.post("admin/customers", "{\"name\": ");
    Reply notAnObject = http.post("admin/customers", "[\"name\"]");
    Reply missingName = http.post("admin/customers", "{}");

    assertThat(reply.status()).isEqualTo(400);
    assertOpenAiError(reply.body(), null);
    assertThat(reply.raw()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(notAnObject.status()).isEqualTo(400);
    assertThat(missingName.status()).isEqualTo(400);
    assertOpenAiError(missingName.body(), "name");
  }

  @Test
  void answersUnknownCustomersAndKeysWith404() {
    String unknown = "cus_ffffffffffffffffffffffff";

    for (Reply reply : List.of(http.get("admin/customers/" + unknown),
        http.post("admin/customers/" + unknown + "/credits", "{\"amount_micros\": 10}"),
        http.post("admin/customers/" + unknown + "/keys", "{}"),
        http.get("admin/customers/" + unknown + "/ledger"),
        http.post("admin/keys/key_ffffffffffffffffffffffff/revoke", ""),
        http.get("admin/ledger/gen-nothing-here"))) {
      assertThat(reply.status()).as(reply.raw()).isEqualTo(404);
      assertThat(reply.body().at("/error/code").asText()).isEqualTo("not_found");
      assertThat(reply.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
    }
  }

  @Test
  void answersUnknownRoutesAndBadLimitsInTheSameShape() {
    Reply route = http.get("admin/no-such-thing");
    Reply limit = http.get("admin/customers/" + createCustomer("Limits") + "/ledger?limit=abc");

    assertThat(route.status()).isEqualTo(404);
    assertOpenAiError(route.body(), null);
    assertThat(limit.status()).isEqualTo(400);
    assertOpenAiError(limit.body(), "limit");
  }

  @Test
  void rebuildsTheRedisMirrorFromPostgres() {
    String customer = createCustomer("Mirror");
    Reply active = http.post("admin/customers/" + customer + "/keys", "{}");
    Reply revoked = http.post("admin/customers/" + customer + "/keys", "{}");
    http.post("admin/keys/" + revoked.body().get("id").asText() + "/revoke", "");
    String activeKey = keys().apiKey(ApiKeyHash.sha256Hex(active.body().get("key").asText()));
    String revokedKey = keys().apiKey(ApiKeyHash.sha256Hex(revoked.body().get("key").asText()));
    String staleKey = keys().apiKey("0".repeat(64));
    List<String> ours = redis.keys(keys().apiKeyPattern());
    redis.del(ours.toArray(String[]::new));
    redis.hset(staleKey, new ApiKeyRecord(customer, "key_gone", ApiKeyRecord.ACTIVE, KeyLimits.NONE).hashFields());

    ApiKeyMirror.Rebuild rebuild = apiKeys.rebuildMirror();

    assertThat(rebuild.removed()).isEqualTo(1);
    assertThat(rebuild.written()).isGreaterThanOrEqualTo(2);
    assertThat(redis.exists(staleKey)).isZero();
    assertThat(ApiKeyRecord.fromHash(redis.hgetall(activeKey))).contains(new ApiKeyRecord(customer,
        active.body().get("id").asText(), ApiKeyRecord.ACTIVE, KeyLimits.NONE));
    assertThat(redis.hget(revokedKey, ApiKeyRecord.STATUS)).isEqualTo(ApiKeyRecord.REVOKED);
  }

  @Test
  void servesHealthAndPrometheusWithoutAToken() {
    Reply health = http.getWithoutToken("health");
    Reply prometheus = http.getWithoutToken("prometheus");

    assertThat(health.status()).as(health.raw()).isEqualTo(200);
    assertThat(health.body().get("status").asText()).isEqualTo("UP");
    assertThat(prometheus.status()).isEqualTo(200);
    assertThat(prometheus.raw()).contains("jvm_memory_used_bytes");
  }

  private static void assertOpenAiError(JsonNode body, String param) {
    assertThat(body).isNotNull();
    JsonNode error = body.get("error");
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isEqualTo(ErrorBody.INVALID_REQUEST_ERROR);
    assertThat(error.has("param")).isTrue();
    assertThat(error.has("code")).isTrue();
    if (param == null) {
      assertThat(error.get("param").isNull()).as(body.toString()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
  }

  private List<String> apiKeyRowValues(String keyId) throws SQLException {
    try (Connection c = Infra.postgres().connect(properties.get("datasources.default.url"));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM api_keys WHERE id = '" + keyId + "'")) {
      assertThat(rs.next()).isTrue();
      List<String> values = new ArrayList<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        values.add(rs.getString(i));
      }
      return values;
    }
  }
}
