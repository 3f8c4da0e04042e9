package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton, end to end: a customer and key created through billing's admin API, a
 * request through the router (started from its runnable jar) to provider-sim, its usage event on
 * real Kafka, consumed by billing (its own jar) into a ledger row in real PostgreSQL, read back
 * over HTTP.
 */
class WalkingSkeletonIT {

  private static final String ADMIN_TOKEN = "e2e-admin-token";
  private static final String MODEL = "deepseek/deepseek-chat-v3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static ProviderSim sim;
  private static ServiceProcess billing;
  private static ServiceProcess router;
  private static String customerId;
  private static OpenAIClient openAi;

  @BeforeAll
  static void startTheStack() throws Exception {
    String kafka = Infra.kafka().bootstrapServers();
    String redis = Infra.redis().uri();
    String database = Infra.postgres().newDatabase("e2e");
    System.err.println("[e2e] Kafka: " + Infra.kafka().description());
    System.err.println("[e2e] Redis: " + Infra.redis().description());
    System.err.println("[e2e] PostgreSQL: " + Infra.postgres().description() + ", database " + database);

    String topic = Infra.kafka().createTopic(Infra.uniqueName("e2e-usage"), 3);
    String redisPrefix = Infra.uniqueName("e2e") + ":";
    // Faultless providers at every base path the shipped catalog names, so the cheapest one serves.
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.openai("alibaba"), ProviderConfig.openai("fireworks")));

    billing = ServiceProcess.start("billing", Path.of(System.getProperty("silkroute.billing.jar")),
        ServiceProcess.freePort(), Map.of(
            "datasources.default.url", database,
            "datasources.default.username", Infra.postgres().username(),
            "datasources.default.password", Infra.postgres().password(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.usage.topic", topic,
            "silkroute.usage.dlq-topic", topic + ".dlq",
            "silkroute.usage.group-id", Infra.uniqueName("e2e-billing"),
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", redisPrefix),
        Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN));
    router = ServiceProcess.start("router", Path.of(System.getProperty("silkroute.router.jar")),
        ServiceProcess.freePort(), Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", Path.of("target", "e2e-router.spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.kafka.usage-topic", topic,
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", redisPrefix),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));

    customerId = admin("POST", "/admin/customers", "{\"name\":\"E2E Ltd\"}").get("id").asText();
    String key = admin("POST", "/admin/customers/" + customerId + "/keys", "{\"label\":\"e2e\"}").get("key").asText();
    admin("POST", "/admin/customers/" + customerId + "/credits", "{\"amount_micros\":5000000,\"note\":\"e2e\"}");
    openAi = OpenAIOkHttpClient.builder().baseUrl(router.uri("/v1").toString()).apiKey(key).maxRetries(0).build();
  }

  @AfterAll
  static void stopTheStack() throws Exception {
    if (openAi != null) {
      openAi.close();
    }
    if (router != null) {
      router.close();
    }
    if (billing != null) {
      billing.close();
    }
    if (sim != null) {
      sim.close();
    }
  }

  @Test
  void aCompletionBecomesOneLedgerRowChargedToTheCustomer() throws Exception {
    // Strict price order, so the cheapest provider serves (the default draws at random by 1/price^2).
    ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(MODEL).addUserMessage("What travelled on the silk road?")
        .putAdditionalBodyProperty("provider", com.openai.core.JsonValue.from(Map.of("sort", "price"))).build());

    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    CompletionUsage usage = completion.usage().orElseThrow();
    long costMicros = new BigDecimal(usage._additionalProperties().get("cost").toString()).movePointRight(6)
        .longValueExact();

    JsonNode row = awaitLedgerRow(completion.id());
    assertThat(row.get("customer_id").asText()).isEqualTo(customerId);
    assertThat(row.get("model").asText()).isEqualTo(MODEL);
    assertThat(row.get("provider").asText()).isEqualTo("deepseek");
    assertThat(row.get("prompt_tokens").asLong()).isEqualTo(usage.promptTokens());
    assertThat(row.get("completion_tokens").asLong()).isEqualTo(usage.completionTokens());
    assertThat(row.get("price_micros").asLong()).isEqualTo(costMicros).isPositive();

    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode customer = admin("GET", "/admin/customers/" + customerId, null);
      assertThat(customer.get("spent_micros").asLong()).isGreaterThanOrEqualTo(costMicros);
      assertThat(customer.get("balance_micros").asLong())
          .isEqualTo(5_000_000 - customer.get("spent_micros").asLong());
    });
  }

  @Test
  void aStreamedCompletionIsBilledFromItsUsageChunk() throws Exception {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Count camels")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      stream.stream().forEach(chunks::add);
    }
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    CompletionUsage usage = last.usage().orElseThrow();

    JsonNode row = awaitLedgerRow(last.id());
    assertThat(row.get("completion_tokens").asLong()).isEqualTo(usage.completionTokens());
    assertThat(row.get("streamed").asBoolean()).isTrue();
  }

  @Test
  void anEmbeddingBecomesOneLedgerRowWithoutCompletionTokens() throws Exception {
    String model = "qwen/qwen3-embedding-8b";
    com.openai.models.embeddings.CreateEmbeddingResponse answer = openAi.embeddings().create(
        com.openai.models.embeddings.EmbeddingCreateParams.builder().model(model)
            .inputOfArrayOfStrings(List.of("silk", "road")).dimensions(512)
            .putAdditionalBodyProperty("provider", com.openai.core.JsonValue.from(Map.of("sort", "price"))).build());

    assertThat(answer.data()).hasSize(2);
    assertThat(answer.data().get(0).embedding()).hasSize(512);
    String id = String.valueOf(answer._additionalProperties().get("id").asString().orElseThrow());
    long costMicros = new BigDecimal(answer.usage()._additionalProperties().get("cost").toString()).movePointRight(6)
        .longValueExact();

    JsonNode row = awaitLedgerRow(id);
    assertThat(row.get("customer_id").asText()).isEqualTo(customerId);
    assertThat(row.get("model").asText()).isEqualTo(model);
    assertThat(row.get("provider").asText()).isEqualTo("fireworks"); // the cheaper of the two
    assertThat(row.get("endpoint").asText()).isEqualTo("fireworks/" + model);
    assertThat(row.get("prompt_tokens").asLong()).isEqualTo(answer.usage().promptTokens()).isPositive();
    assertThat(row.get("completion_tokens").asLong()).isZero();
    assertThat(row.get("price_micros").asLong()).isEqualTo(costMicros).isPositive();
  }

  @Test
  void aRevokedKeyIsRefusedAtOnce() throws Exception {
    JsonNode created = admin("POST", "/admin/customers/" + customerId + "/keys", "{\"label\":\"short-lived\"}");
    admin("POST", "/admin/keys/" + created.get("id").asText() + "/revoke", null);

    OpenAIClient revoked = OpenAIOkHttpClient.builder().baseUrl(router.uri("/v1").toString())
        .apiKey(created.get("key").asText()).maxRetries(0).build();
    try {
      assertThatThrownBy(() -> revoked.chat().completions().create(ChatCompletionCreateParams.builder()
          .model(MODEL).addUserMessage("hi").build())).isInstanceOf(UnauthorizedException.class);
    } finally {
      revoked.close();
    }
  }

  private static JsonNode awaitLedgerRow(String generationId) {
    JsonNode[] row = new JsonNode[1];
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
      HttpResponse<String> response = send("GET", "/admin/ledger/" + generationId, null);
      if (response.statusCode() == 200) {
        row[0] = JSON.readTree(response.body());
        return true;
      }
      assertThat(response.statusCode()).isEqualTo(404);
      return false;
    });
    return row[0];
  }

  private static JsonNode admin(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = send(method, path, body);
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(billing.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ADMIN_TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
