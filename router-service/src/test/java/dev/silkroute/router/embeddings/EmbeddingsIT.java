package dev.silkroute.router.embeddings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.proto.v1.EmbedRequest;
import dev.silkroute.proto.v1.EmbedResponse;
import dev.silkroute.proto.v1.RouterGrpc;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.providersim.RecordedRequest;
import dev.silkroute.router.api.OpenAiSchemas;
import dev.silkroute.router.grpc.RunningRouter;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/embeddings} and gRPC Embed on a whole router (real Redis keys and credit, real Kafka
 * usage) with provider-sim upstreams: OpenAI's SDK as the client, one usage event per request,
 * fallback past a failing provider, 402 without credit, 400s naming the field in both error shapes.
 */
class EmbeddingsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SMALL = "openai/text-embedding-3-small";
  private static final String BGE = "baai/bge-m3";

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static RunningRouter router;
  private static OpenAIClient openAi;
  private static KafkaConsumer<String, byte[]> usage;
  private static final Map<String, UsageEvent> SEEN = new HashMap<>();

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("openai"), ProviderConfig.openai("together"),
        ProviderConfig.openai("fireworks"), ProviderConfig.openai("deepseek")));
    router = RunningRouter.start(dir, """
        providers:
          openai: {protocol: openai, base_url: "%s"}
          together: {protocol: openai, base_url: "%s"}
          fireworks: {protocol: openai, base_url: "%s"}
          deepseek: {protocol: openai, base_url: "%s"}
        models:
          - id: openai/text-embedding-3-small
            modalities: {input: [text], output: [embeddings]}
            dimensions: 1536
            supported_parameters: [dimensions, encoding_format]
            endpoints:
              - {provider: openai, upstream_model: text-embedding-3-small, price: {prompt: "0.02", completion: "0"}}
          - id: baai/bge-m3
            modalities: {input: [text], output: [embeddings]}
            dimensions: 1024
            supported_parameters: [encoding_format]
            endpoints:
              - {provider: together, upstream_model: BAAI/bge-m3, price: {prompt: "0.01", completion: "0"}}
              - {provider: fireworks, upstream_model: bge-m3, price: {prompt: "0.02", completion: "0"}}
          - id: deepseek/deepseek-chat-v3
            endpoints:
              - {provider: deepseek, upstream_model: deepseek-chat, price: {prompt: "0.27", completion: "1.10"}}
        """.formatted(sim.baseUrl("openai"), sim.baseUrl("together"), sim.baseUrl("fireworks"),
        sim.baseUrl("deepseek")));
    openAi = OpenAIOkHttpClient.builder().baseUrl(router.baseUrl() + "/v1").apiKey(router.key()).maxRetries(0)
        .build();
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("embeddingsit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    usage = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    usage.subscribe(List.of(router.usageTopic()));
  }

  @AfterAll
  static void stop() {
    usage.close();
    openAi.close();
    router.close();
    sim.close();
  }

  @AfterEach
  void resetProviders() {
    List.of("openai", "together", "fireworks").forEach(p -> sim.update(p, Knobs.defaults()));
  }

  @Test
  void embedsWithOpenAisSdkAndPublishesOneUsageEventWithoutCompletionTokens() {
    CreateEmbeddingResponse answer = openAi.embeddings().create(EmbeddingCreateParams.builder().model(SMALL)
        .inputOfArrayOfStrings(List.of("silk", "road of many camels")).build());

    assertThat(answer.data()).hasSize(2);
    assertThat(answer.data().get(0).embedding()).hasSize(1536);
    assertThat(answer.model()).isEqualTo(SMALL);
    assertThat(answer.usage().promptTokens()).isEqualTo(6).isEqualTo(answer.usage().totalTokens());
    String id = String.valueOf(answer._additionalProperties().get("id").asString().orElseThrow());
    assertThat(id).matches("gen-[0-9a-f]{32}");
    assertThat(answer._additionalProperties().get("provider").asString()).hasValue("openai");
    BigDecimal cost = new BigDecimal(answer.usage()._additionalProperties().get("cost").toString());
    assertThat(cost).isEqualByComparingTo("0.000001"); // 6 tokens at $0.02/M, rounded up to a micro-USD

    UsageEvent event = usageEvent(id);
    assertThat(event.getModel()).isEqualTo(SMALL);
    assertThat(event.getEndpoint()).isEqualTo("openai/" + SMALL);
    assertThat(event.getProvider()).isEqualTo("openai");
    assertThat(event.getPromptTokens()).isEqualTo(6);
    assertThat(event.getCompletionTokens()).isZero();
    assertThat(event.getPriceMicros()).isEqualTo(1);
    assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_OK);
    assertThat(event.getAttempts()).isEqualTo(1);
  }

  @Test
  void answersOpenAisShapeWithShorterVectorsAndPassesBase64Through() throws Exception {
    HttpResponse<String> floats = post("/v1/embeddings", "{\"model\":\"" + SMALL
        + "\",\"input\":\"oasis\",\"dimensions\":256}", router.key());
    assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(floats.body());
    OpenAiSchemas.assertEmbeddingResponse(body);
    assertThat(body.at("/data/0/embedding").size()).isEqualTo(256);
    assertThat(floats.headers().firstValue("X-Generation-Id")).hasValue(body.get("id").asText());

    CreateEmbeddingResponse base64 = openAi.embeddings().create(EmbeddingCreateParams.builder().model(SMALL)
        .input("oasis").dimensions(256).encodingFormat(EmbeddingCreateParams.EncodingFormat.BASE64).build());
    List<RecordedRequest> sent = sim.recentRequests("openai");
    JsonNode forwarded = JSON.readTree(sent.get(sent.size() - 1).body());
    assertThat(forwarded.get("encoding_format").asText()).isEqualTo("base64");
    assertThat(forwarded.get("model").asText()).isEqualTo("text-embedding-3-small");
    assertThat(base64.data().get(0).embedding()).hasSize(256);
    assertThat((double) base64.data().get(0).embedding().get(0))
        .isCloseTo(body.at("/data/0/embedding/0").asDouble(), Offset.offset(1e-6));
  }

  @Test
  void fallsBackToTheNextProviderWhenTheFirstFails() {
    sim.update("together", knobs -> knobs.toBuilder().errorRate(1.0).build());
    long before = sim.requestCount("together");

    CreateEmbeddingResponse answer = openAi.embeddings().create(EmbeddingCreateParams.builder().model(BGE)
        .input("caravan").putAdditionalBodyProperty("provider", JsonValue.from(Map.of("order", List.of("together",
            "fireworks")))).build());

    assertThat(answer._additionalProperties().get("provider").asString()).hasValue("fireworks");
    assertThat(sim.requestCount("together")).isEqualTo(before + 1);
    UsageEvent event = usageEvent(String.valueOf(answer._additionalProperties().get("id").asString().orElseThrow()));
    assertThat(event.getAttempts()).isEqualTo(2);
    assertThat(event.getProvider()).isEqualTo("fireworks");
  }

  @Test
  void answers502WhenEveryProviderFails() throws Exception {
    sim.update("openai", knobs -> knobs.toBuilder().errorRate(1.0).build());

    HttpResponse<String> failed = post("/v1/embeddings", "{\"model\":\"" + SMALL + "\",\"input\":\"x\"}", router.key());

    assertThat(failed.statusCode()).isEqualTo(502);
    JsonNode error = JSON.readTree(failed.body());
    OpenAiSchemas.assertError(error);
    assertThat(error.at("/error/metadata/provider_name").asText()).isEqualTo("openai");
  }

  @Test
  void refusesAChatCompletionForAnEmbeddingModelNamingTheModel() throws Exception {
    HttpResponse<String> refused = post("/v1/chat/completions", "{\"model\":\"" + SMALL
        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", router.key());

    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).at("/error/param").asText()).isEqualTo("model");
    assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).contains("/v1/embeddings");
  }

  @Test
  void refusesWithoutCreditWith402() throws Exception {
    String poor = RouterAccounts.activeKey(router.redisPrefix(), "cus_poor", "key_poor", KeyLimits.NONE);
    RouterAccounts.setBalance(router.redisPrefix(), "cus_poor", 0);
    long before = sim.requestCount("openai");

    HttpResponse<String> refused = post("/v1/embeddings", "{\"model\":\"" + SMALL + "\",\"input\":\"x\"}", poor);

    assertThat(refused.statusCode()).isEqualTo(402);
    assertThat(JSON.readTree(refused.body()).at("/error/type").asText()).isEqualTo("insufficient_quota");
    assertThat(sim.requestCount("openai")).isEqualTo(before);
  }

  @Test
  void refusesBadInputNamingTheFieldInEachPathsErrorShape() throws Exception {
    String[][] cases = {
        {"{\"input\":\"x\"}", "model"},
        {"{\"model\":\"" + SMALL + "\"}", "input"},
        {"{\"model\":\"" + SMALL + "\",\"input\":[]}", "input"},
        {"{\"model\":\"" + SMALL + "\",\"input\":[\"a\",\"\"]}", "input[1]"},
        {"{\"model\":\"" + SMALL + "\",\"input\":[1,2,3]}", "input"},
        {"{\"model\":\"" + SMALL + "\",\"input\":[[1,2],[3]]}", "input[0]"},
        {"{\"model\":\"" + SMALL + "\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format"},
        {"{\"model\":\"" + SMALL + "\",\"input\":\"a\",\"dimensions\":-3}", "dimensions"},
        {"{\"model\":\"" + SMALL + "\",\"input\":\"a\",\"dimensions\":4096}", "dimensions"},
        {"{\"model\":\"" + BGE + "\",\"input\":\"a\",\"dimensions\":256}", "dimensions"},
        {"{\"model\":\"deepseek/deepseek-chat-v3\",\"input\":\"a\"}", "model"},
        {"{\"model\":\"" + SMALL + "\",\"input\":\"a\",\"models\":[\"deepseek/deepseek-chat-v3\"]}", "models[0]"},
        {"{\"model\":\"" + SMALL + "\",\"input\":\"a\",\"provider\":{\"sort\":\"vibes\"}}", "provider.sort"}};
    for (String[] c : cases) {
      HttpResponse<String> openAiShape = post("/v1/embeddings", c[0], router.key());
      assertThat(openAiShape.statusCode()).as(c[0] + " " + openAiShape.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(openAiShape.body());
      OpenAiSchemas.assertError(error);
      assertThat(error.at("/error/param").asText()).as(c[0]).isEqualTo(c[1]);

      HttpResponse<String> openRouterShape = post("/api/v1/embeddings", c[0], router.key());
      assertThat(openRouterShape.statusCode()).isEqualTo(400);
      JsonNode orError = JSON.readTree(openRouterShape.body()).get("error");
      assertThat(orError.get("code").asInt()).isEqualTo(400);
      assertThat(orError.at("/metadata/param").asText()).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(post("/v1/embeddings", "{\"model\":\"no/such-model\",\"input\":\"a\"}", router.key()).statusCode())
        .isEqualTo(404);
    assertThat(post("/v1/embeddings", "{\"model\":\"" + SMALL + "\",\"input\":\"a\"}", null).statusCode())
        .isEqualTo(401);
    assertThat(post("/v1/embeddings", "not json", router.key()).statusCode()).isEqualTo(400);
  }

  @Test
  void answersThousandsOfMangledBodiesWithoutEverA5xx() throws Exception {
    String valid = "{\"model\":\"" + BGE + "\",\"input\":[\"silk\",\"road\"],\"encoding_format\":\"float\","
        + "\"models\":[\"" + SMALL + "\"],\"provider\":{\"order\":[\"together\"]}}";
    java.util.Random random = new java.util.Random(20261206);
    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
    for (int i = 0; i < 2_000; i++) {
      byte[] body = MangledBodies.mangle(valid, random);
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl()
              + (i % 2 == 0 ? "/v1/embeddings" : "/api/v1/embeddings")))
          .header("Authorization", "Bearer " + router.key()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
      statuses.merge(response.statusCode(), 1, Integer::sum);
      assertThat(response.statusCode()).as(new String(body, java.nio.charset.StandardCharsets.UTF_8) + " -> "
          + response.body()).isLessThan(500);
      assertThat(JSON.readTree(response.body()).has(response.statusCode() == 200 ? "data" : "error")).isTrue();
    }
    assertThat(statuses.getOrDefault(400, 0)).as(statuses.toString()).isGreaterThan(500);
    assertThat(statuses.getOrDefault(200, 0)).as(statuses.toString()).isGreaterThan(50);
  }

  @Test
  void listsEmbeddingModelsWithTheirModality() throws Exception {
    HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl() + "/v1/models"))
        .build(), HttpResponse.BodyHandlers.ofString());
    JsonNode small = null;
    for (JsonNode model : JSON.readTree(models.body()).get("data")) {
      if (model.get("id").asText().equals(SMALL)) {
        small = model;
      }
    }
    assertThat(small).isNotNull();
    assertThat(small.at("/architecture/modality").asText()).isEqualTo("text->embeddings");
    assertThat(small.at("/architecture/output_modalities/0").asText()).isEqualTo("embeddings");
  }

  @Test
  void embedsOverGrpcWithTheSameRoutingAndUsage() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", router.grpcPort()).usePlaintext().build();
    try {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + router.key());
      RouterGrpc.RouterBlockingStub stub = RouterGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(30, TimeUnit.SECONDS);

      EmbedResponse response = stub.embed(EmbedRequest.newBuilder().setModel(SMALL).addInput("silk")
          .addInput("road").setDimensions(64).build());

      assertThat(response.getId()).matches("gen-[0-9a-f]{32}");
      assertThat(response.getProvider()).isEqualTo("openai");
      assertThat(response.getDataList()).hasSize(2);
      assertThat(response.getData(1).getIndex()).isEqualTo(1);
      assertThat(response.getData(0).getEmbeddingList()).hasSize(64);
      assertThat(response.getUsage().getPromptTokens()).isEqualTo(2);
      assertThat(response.getUsage().getCompletionTokens()).isZero();
      assertThat(response.getUsage().getCostMicros()).isEqualTo(1);
      assertThat(usageEvent(response.getId()).getCompletionTokens()).isZero();

      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.embed(EmbedRequest.newBuilder().setModel(SMALL).addInput("").build()));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(refused.getStatus().getDescription()).contains("input[0]");
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + path))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The usage event of {@code generationId}, once published; a second event for any request fails the test. */
  private static synchronized UsageEvent usageEvent(String generationId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (ConsumerRecord<String, byte[]> record : usage.poll(Duration.ofMillis(200))) {
        UsageEvent event = UsageEvent.parseFrom(record.value());
        assertThat(SEEN.put(event.getEventId(), event)).as("a second event for " + event.getEventId()).isNull();
      }
      return SEEN.containsKey(generationId);
    });
    return SEEN.get(generationId);
  }
}
