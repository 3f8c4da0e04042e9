package dev.silkroute.router.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.api.OpenRouterSchemas;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /credits} and {@code /key} over a real socket against a running router, with keys, balances
 * and spend in real Redis as billing and admission leave them, and a real completion moving them.
 */
class AccountIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static ApplicationContext router;
  private static String baseUrl;
  private static String prefix;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;
  private static RedisKeys keys;

  @BeforeAll
  static void start() throws IOException {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek")));
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, """
        providers:
          deepseek: {protocol: openai, base_url: "%s"}
        models:
          - id: deepseek/deepseek-chat-v3
            endpoints:
              - {provider: deepseek, upstream_model: deepseek-chat, price: {prompt: "0.27", completion: "1.10"}}
        """.formatted(sim.baseUrl("deepseek")));
    prefix = Infra.uniqueName("accountit") + ":";
    keys = new RedisKeys(prefix);
    redisClient = RedisClient.create(Infra.redis().uri());
    connection = redisClient.connect();
    redis = connection.sync();
    EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "micronaut.server.port", -1,
        "silkroute.router.catalog", catalog.toString(),
        "silkroute.router.spool-file", dir.resolve("spool").toString(),
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", prefix,
        "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
        "silkroute.kafka.usage-topic", Infra.kafka().createTopic(Infra.uniqueName("usage"), 1)));
    router = server.getApplicationContext();
    baseUrl = "http://127.0.0.1:" + server.getPort();
  }

  @AfterAll
  static void stop() {
    router.close();
    sim.close();
    List<String> ours = redis.keys(prefix + "*");
    if (!ours.isEmpty()) {
      redis.del(ours.toArray(String[]::new));
    }
    connection.close();
    redisClient.shutdown();
  }

  @Test
  void answersCreditsAsGrantedAndUsedInExactDollarsOnBothBaseUrls() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    String key = key(customer, KeyLimits.NONE, null);
    redis.set(keys.creditGranted(customer), "5000000");
    redis.set(keys.balance(customer), "3749999");

    for (String path : List.of("/api/v1/credits", "/v1/credits")) {
      HttpResponse<String> response = get(path, key);

      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode data = JSON.readTree(response.body()).get("data");
      assertThat(data.get("total_credits").decimalValue()).isEqualByComparingTo("5");
      assertThat(data.get("total_usage").decimalValue()).isEqualByComparingTo("1.250001");
      OpenRouterSchemas.assertCredits(JSON.readTree(response.body()));
    }
  }

  @Test
  void aCompletionsCostShowsInTheKeysUsageAndTheCreditsUsage() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    String key = key(customer, KeyLimits.of(OptionalLong.of(2_000_000), OptionalLong.of(30), OptionalLong.empty(), List.of()), null);
    redis.set(keys.creditGranted(customer), "10000000");
    redis.set(keys.balance(customer), "10000000");

    HttpResponse<String> completion = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"deepseek/deepseek-chat-v3\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"what does this cost?\"}]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(completion.statusCode()).isEqualTo(200);
    BigDecimal cost = JSON.readTree(completion.body()).at("/usage/cost").decimalValue();
    assertThat(cost).isPositive();

    // The day's, week's and month's usage count the charge once its usage event is out.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        JSON.readTree(get("/api/v1/key", key).body()).at("/data/usage_daily").decimalValue())
        .isEqualByComparingTo(cost));
    JsonNode keyAnswer = JSON.readTree(get("/api/v1/key", key).body());
    OpenRouterSchemas.assertKey(keyAnswer);
    JsonNode keyData = keyAnswer.get("data");
    assertThat(keyData.get("usage_weekly").decimalValue()).isEqualByComparingTo(cost);
    assertThat(keyData.get("usage_monthly").decimalValue()).isEqualByComparingTo(cost);
    assertThat(keyData.get("label").asText()).isEqualTo(key.substring(0, 12));
    assertThat(keyData.get("usage").decimalValue()).isEqualByComparingTo(cost);
    assertThat(keyData.get("limit").decimalValue()).isEqualByComparingTo("2");
    assertThat(keyData.get("limit_remaining").decimalValue()).isEqualByComparingTo(new BigDecimal("2").subtract(cost));
    assertThat(keyData.get("is_free_tier").asBoolean()).isFalse();
    assertThat(keyData.at("/rate_limit/requests").asInt()).isEqualTo(30);
    assertThat(keyData.at("/rate_limit/interval").asText()).isEqualTo("1m");

    JsonNode credits = JSON.readTree(get("/api/v1/credits", key).body()).get("data");
    assertThat(credits.get("total_usage").decimalValue()).isEqualByComparingTo(cost);
  }

  @Test
  void showsTheLabelBillingMirroredForTheKey() throws Exception {
    String key = key("cus_" + UUID.randomUUID(), KeyLimits.NONE, "ci runner");

    JsonNode data = JSON.readTree(get("/api/v1/key", key).body()).get("data");

    assertThat(data.get("label").asText()).isEqualTo("ci runner");
  }

  @Test
  void describesAKeyWithoutLimitsWithNullLimitsAndNoRateLimit() throws Exception {
    String key = key("cus_" + UUID.randomUUID(), KeyLimits.NONE, null);

    HttpResponse<String> response = get("/v1/key", key);

    assertThat(response.statusCode()).isEqualTo(200);
    OpenRouterSchemas.assertKey(JSON.readTree(response.body()));
    JsonNode data = JSON.readTree(response.body()).get("data");
    assertThat(data.get("usage_daily").decimalValue()).isEqualByComparingTo("0");
    assertThat(data.get("limit").isNull()).isTrue();
    assertThat(data.get("limit_remaining").isNull()).isTrue();
    assertThat(data.get("usage").decimalValue()).isEqualByComparingTo("0");
    assertThat(data.at("/rate_limit/requests").asInt()).isEqualTo(-1);
  }

  @Test
  void answersZeroForAnAccountNeverCreditedAnd503WhileOnlyHalfItsTotalsAreLoaded() throws Exception {
    String customer = "cus_" + UUID.randomUUID();
    String key = key(customer, KeyLimits.NONE, null);

    JsonNode empty = JSON.readTree(get("/api/v1/credits", key).body()).get("data");
    assertThat(empty.get("total_credits").decimalValue()).isEqualByComparingTo("0");
    assertThat(empty.get("total_usage").decimalValue()).isEqualByComparingTo("0");

    redis.set(keys.balance(customer), "1000");
    HttpResponse<String> halfLoaded = get("/api/v1/credits", key);
    assertThat(halfLoaded.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(halfLoaded.body()).at("/error/code").asInt()).isEqualTo(503);
    OpenRouterSchemas.assertError(503, JSON.readTree(halfLoaded.body()));
  }

  @Test
  void refusesAMissingOrUnknownKeyWith401InEachBaseUrlsShape() throws Exception {
    HttpResponse<String> openRouter = get("/api/v1/key", null);
    assertThat(openRouter.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(openRouter.body()).at("/error/code").asInt()).isEqualTo(401);

    HttpResponse<String> openAi = get("/v1/credits", "sk-sr-v1-" + "0".repeat(64));
    assertThat(openAi.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(openAi.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
    assertThat(JSON.readTree(openAi.body()).at("/error/type").asText()).isEqualTo("authentication_error");
  }

  private static String key(String customerId, KeyLimits limits, String label) {
    return RouterAccounts.key(prefix, new ApiKeyRecord(customerId, "key_" + UUID.randomUUID(), ApiKeyRecord.ACTIVE,
        limits, label));
  }

  private static HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
