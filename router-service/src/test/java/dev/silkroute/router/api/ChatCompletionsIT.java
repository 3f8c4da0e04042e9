package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.boot.LoopLocalRedis;
import dev.silkroute.router.routing.TokenMix;
import dev.silkroute.router.routing.TrafficStats;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.micronaut.context.ApplicationContext;
import io.micronaut.http.netty.channel.EventLoopGroupRegistry;
import io.micronaut.runtime.server.EmbeddedServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as clients see it: a real HTTP server, real Redis for keys, real Kafka for usage
 * events, provider-sim as the upstream providers, and the official OpenAI SDK as the client.
 */
class ChatCompletionsIT {

  private static final String MODEL = "deepseek/deepseek-chat-v3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static ApplicationContext router;
  private static String baseUrl;
  private static String key;
  private static String prefix;
  private static OpenAIClient openAi;
  private static KafkaConsumer<String, byte[]> usageConsumer;
  private static final Map<String, UsageEvent> usageEvents = new ConcurrentHashMap<>();

  @BeforeAll
  static void start() throws IOException {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together")));
    Path catalog = dir.resolve("catalog.yaml");
    Files.writeString(catalog, """
        providers:
          deepseek: {protocol: openai, base_url: "%s"}
          together: {protocol: openai, base_url: "%s"}
        models:
          - id: deepseek/deepseek-chat-v3
            endpoints:
              - {provider: deepseek, upstream_model: deepseek-chat, price: {prompt: "0.27", completion: "1.10", cached_prompt: "0.07"}}
              - {provider: together, upstream_model: deepseek-ai/DeepSeek-V3, price: {prompt: "1.25", completion: "1.25"}}
        """.formatted(sim.baseUrl("deepseek"), sim.baseUrl("together")));

    prefix = Infra.uniqueName("routerit") + ":";
    key = RouterAccounts.activeKey(prefix, "cus_routerit", "key_routerit", KeyLimits.NONE);
    RouterAccounts.setBalance(prefix, "cus_routerit", 1_000_000_000); // $1,000 of credit

    String topic = Infra.kafka().createTopic(Infra.uniqueName("usage"), 1);
    EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.ofEntries(
        // Circuits stay closed: these tests make providers fail on purpose, one test after another.
        Map.entry("silkroute.routing.sliding-window-calls", "10000"),
        Map.entry("silkroute.routing.minimum-calls", "10000"),
        // ... and measured health never demotes an endpoint mid-class: which provider serves stays predictable.
        Map.entry("silkroute.routing.stats-refresh", "1h"),
        Map.entry("micronaut.server.port", -1),
        Map.entry("silkroute.router.catalog", catalog.toString()),
        Map.entry("silkroute.router.spool-file", dir.resolve("spool").toString()),
        // Two failing attempts end before it even on a loaded machine; a 1 s first token still commits first.
        Map.entry("silkroute.router.stream-commit-after", "600ms"),
        Map.entry("silkroute.router.keep-alive-interval", "100ms"),
        Map.entry("silkroute.router.first-byte-timeout", "2s"),
        Map.entry("micronaut.server.max-request-size", "1MB"),
        Map.entry("silkroute.redis.uri", Infra.redis().uri()),
        Map.entry("silkroute.redis.key-prefix", prefix),
        Map.entry("silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers()),
        Map.entry("silkroute.kafka.usage-topic", topic)));
    router = server.getApplicationContext();
    baseUrl = "http://127.0.0.1:" + server.getPort();
    openAi = OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1").apiKey(key).maxRetries(0).build();

    Properties consumer = new Properties();
    consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    consumer.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("routerit"));
    consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    usageConsumer = new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer());
    usageConsumer.subscribe(List.of(topic));
  }

  @AfterAll
  static void stop() {
    openAi.close();
    router.close();
    sim.close();
    usageConsumer.close();
  }

  @AfterEach
  void resetProviders() {
    sim.update("deepseek", Knobs.defaults());
    sim.update("together", Knobs.defaults());
  }

  /**
   * The application's event loops run Netty's epoll transport where it loads, and each carries its
   * own Redis connection: were Micronaut's loops and Lettuce's channels on different transports,
   * every request's scripts would quietly go through the shared connection's thread instead.
   */
  @Test
  void theEventLoopsRunOnEpollEachWithItsOwnRedisConnection() throws Exception {
    EventLoopGroup loops = router.getBean(EventLoopGroupRegistry.class).getDefaultEventLoopGroup();
    if (Epoll.isAvailable()) { // Linux, as in production; elsewhere the loops are NIO
      EpollSocketChannel probe = new EpollSocketChannel();
      assertThat(loops.register(probe).await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(probe.isRegistered()).as("an epoll channel registers on the server's loops").isTrue();
      probe.close().await(5, TimeUnit.SECONDS);
    }
    LoopLocalRedis redis = router.getBean(LoopLocalRedis.class);
    Object shared = redis.get(); // off the loops
    for (EventExecutor loop : loops) {
      CompletableFuture<Object> onLoop = new CompletableFuture<>();
      loop.execute(() -> onLoop.complete(redis.get()));
      assertThat(onLoop.get(5, TimeUnit.SECONDS)).as("the connection of " + loop).isNotSameAs(shared);
    }
  }

  @Test
  void completesThroughTheCheapestProviderAndPublishesItsUsage() {
    ChatCompletion completion = openAi.chat().completions().create(params("Tell me about the silk road").build());

    assertThat(completion.id()).matches("gen-[0-9a-f]{32}");
    assertThat(completion.model()).isEqualTo(MODEL);
    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion._additionalProperties().get("provider").asString()).hasValue("deepseek");
    var usage = completion.usage().orElseThrow();

    UsageEvent event = usageEvent(completion.id());
    assertThat(event.getCustomerId()).isEqualTo("cus_routerit");
    assertThat(event.getKeyId()).isEqualTo("key_routerit");
    assertThat(event.getModel()).isEqualTo(MODEL);
    assertThat(event.getModelAuthor()).isEqualTo("deepseek");
    assertThat(event.getProvider()).isEqualTo("deepseek");
    assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_OK);
    assertThat(event.getPromptTokens()).isEqualTo(usage.promptTokens());
    assertThat(event.getCompletionTokens()).isEqualTo(usage.completionTokens());
    long expectedMicros = -Math.floorDiv(-(usage.promptTokens() * 270_000 + usage.completionTokens() * 1_100_000), 1_000_000);
    assertThat(event.getPriceMicros()).isEqualTo(expectedMicros);
    assertThat(event.getAttempts()).isEqualTo(1);
    assertThat(event.getStreamed()).isFalse();
  }

  @Test
  void streamsChunksThenAUsageChunkWithCost() {
    ChatCompletionCreateParams params = params("Count to five")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    StringBuilder text = new StringBuilder();
    chunks.stream().flatMap(c -> c.choices().stream()).forEach(c -> c.delta().content().ifPresent(text::append));
    assertThat(text).isNotEmpty();
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow()._additionalProperties()).containsKey("cost");
    assertThat(chunks).allSatisfy(c -> assertThat(c.id()).isEqualTo(last.id()));

    UsageEvent event = usageEvent(last.id());
    assertThat(event.getStreamed()).isTrue();
    assertThat(event.getCompletionTokens()).isEqualTo(last.usage().orElseThrow().completionTokens());
    assertThat(event.getTimeToFirstTokenMs()).isLessThanOrEqualTo(event.getLatencyMs());
  }

  @Test
  void fallsBackToTheNextProviderWhenTheCheapestFails() {
    sim.update("deepseek", new Knobs(0, 0, 0, 1.0, 0, 1, -1, false, null, 0));

    ChatCompletion completion = openAi.chat().completions().create(params("hello").build());

    assertThat(completion._additionalProperties().get("provider").asString()).hasValue("together");
    UsageEvent event = usageEvent(completion.id());
    assertThat(event.getAttempts()).isEqualTo(2);
    assertThat(event.getProvider()).isEqualTo("together");
  }

  @Test
  void answers502WithTheProvidersOwnErrorWhenEveryProviderFails() throws Exception {
    Knobs failing = new Knobs(0, 0, 0, 1.0, 0, 1, -1, false, null, 0);
    sim.update("deepseek", failing);
    sim.update("together", failing);

    HttpResponse<String> response = post(chat("hello", false), key);

    assertThat(response.statusCode()).isEqualTo(502);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("upstream_error");
    assertThat(error.path("metadata").path("provider_name").asText()).isEqualTo("together");
    assertThat(error.path("metadata").path("raw").asText()).isNotBlank();
    assertThatThrownBy(() -> openAi.chat().completions().create(params("hello").build()))
        .isInstanceOfSatisfying(InternalServerException.class, e -> assertThat(e.statusCode()).isEqualTo(502));
  }

  @Test
  void answersAProvidersRefusalOfTheRequestWith400AndTriesNoOtherProvider() throws Exception {
    // The router passes "tools" through unread; provider-sim, like OpenAI, refuses a non-array.
    for (boolean stream : List.of(false, true)) {
      long togetherBefore = sim.requestCount("together");
      long deepseekBefore = sim.requestCount("deepseek");
      String body = "{\"model\":\"" + MODEL + "\",\"provider\":{\"sort\":\"price\"},\"stream\":" + stream
          + ",\"tools\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

      HttpResponse<String> response = post(body, key);

      assertThat(response.statusCode()).as("stream=" + stream + ": " + response.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(response.body()).get("error");
      assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
      assertThat(error.get("param").asText()).isEqualTo("tools");
      assertThat(error.get("message").asText()).contains("deepseek").contains("'tools'");
      assertThat(error.at("/metadata/provider_name").asText()).isEqualTo("deepseek");
      assertThat(error.at("/metadata/raw").asText()).contains("expected an array");
      assertThat(sim.requestCount("deepseek")).isEqualTo(deepseekBefore + 1);
      assertThat(sim.requestCount("together")).isEqualTo(togetherBefore);
    }
  }

  @Test
  void endsACutStreamWithAnErrorChunkNotACleanFinish() throws Exception {
    // Paced, so the tokens before the cut reach the router before the drop does: a cut before the
    // first token rightly moves on to the next provider instead.
    sim.update("deepseek", new Knobs(0, 50, 40, 0, 0, 1, 10, false, null, 0));

    HttpResponse<String> response = post(chat("a long answer please", true), key);

    assertThat(response.statusCode()).isEqualTo(200);
    List<JsonNode> events = dataEvents(response.body());
    JsonNode errorChunk = events.stream().filter(e -> e.has("error")).findFirst()
        .orElseThrow(() -> new AssertionError("no error chunk in " + response.body()));
    assertThat(errorChunk.at("/choices/0/finish_reason").asText()).isEqualTo("error");
    assertThat(response.body()).endsWith("data: [DONE]\n\n");
    UsageEvent event = usageEvent(errorChunk.get("id").asText());
    assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_TRUNCATED);
    // The provider never sent its usage: what did reach the client is counted and billed anyway.
    assertThat(event.getUsageEstimated()).isTrue();
    assertThat(event.getCompletionTokens()).isPositive();
    assertThat(event.getPromptTokens()).isPositive();
    assertThat(event.getPriceMicros()).isPositive();
    JsonNode usage = events.get(events.size() - 1).get("usage");
    assertThat(usage.get("completion_tokens").asLong()).isEqualTo(event.getCompletionTokens());
  }

  @Test
  void sendsKeepAliveCommentsWhileTheFirstTokenIsLate() throws Exception {
    sim.update("deepseek", new Knobs(1_000, 0, 0, 0, 0, 1, -1, false, null, 0));

    HttpResponse<String> response = post(chat("slow please", true), key);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).startsWith(": keep-alive\n\n");
    assertThat(response.body().indexOf("data: {")).isGreaterThan(0);
    assertThat(dataEvents(response.body()).get(dataEvents(response.body()).size() - 1).path("usage").isObject()).isTrue();
  }

  @Test
  void rejectsAMissingOrUnknownKeyWith401() throws Exception {
    HttpResponse<String> none = post(chat("hi", false), null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(none.body()).at("/error/type").asText()).isEqualTo("authentication_error");

    OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl(baseUrl + "/v1")
        .apiKey("sk-sr-v1-" + "0".repeat(64)).maxRetries(0).build();
    assertThatThrownBy(() -> stranger.chat().completions().create(params("hi").build()))
        .isInstanceOf(UnauthorizedException.class);
    stranger.close();
  }

  @Test
  void answersAnUnknownModelWith404() {
    assertThatThrownBy(() -> openAi.chat().completions().create(params("hi").model("nobody/nothing").build()))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
  }

  @Test
  void answersMalformedBodiesWith400NamingTheField() throws Exception {
    HttpResponse<String> broken = post("{\"model\": ", key);
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(broken.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");

    HttpResponse<String> badRole = post("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", key);
    assertThat(badRole.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badRole.body()).at("/error/param").asText()).isEqualTo("messages[0].role");

    HttpResponse<String> unknownPath = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/nothing")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(unknownPath.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(unknownPath.body()).at("/error/message").asText()).contains("/v1/nothing");
  }

  @Test
  void servesTheOpenRouterAlias() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(chat("hi", false))).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("X-Generation-Id")).hasValue(JSON.readTree(response.body()).get("id").asText());
  }

  @Test
  void answersClientsThatAcceptEventStreamsOnBothRoutesStreamedOrNot() throws Exception {
    for (String path : List.of("/v1/chat/completions", "/api/v1/chat/completions")) {
      for (String accept : List.of("text/event-stream", "application/json, text/event-stream")) {
        HttpResponse<String> streamed = post(path, chat("stream to me", true), key, accept);
        assertThat(streamed.statusCode()).as(path + " streamed, Accept: " + accept).isEqualTo(200);
        assertThat(streamed.headers().firstValue("Content-Type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(dataEvents(streamed.body())).isNotEmpty();
        assertThat(streamed.body()).endsWith("data: [DONE]\n\n");

        // Not streamed: the JSON answer, whatever the client said it could take.
        HttpResponse<String> whole = post(path, chat("answer at once", false), key, accept);
        assertThat(whole.statusCode()).as(path + " not streamed, Accept: " + accept).isEqualTo(200);
        assertThat(whole.headers().firstValue("Content-Type")).hasValueSatisfying(
            type -> assertThat(type).startsWith("application/json"));
        assertThat(JSON.readTree(whole.body()).get("object").asText()).isEqualTo("chat.completion");

        // A refusal before the first event keeps its status and JSON body too.
        HttpResponse<String> refused = post(path, chat("who am I?", true), null, accept);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(refused.body()).at("/error/message").asText()).isNotBlank();
      }
    }
  }

  @Test
  void answersErrorsInOpenRoutersShapeUnderApiV1AndOpenAisUnderV1() throws Exception {
    String openRouter = "/api/v1/chat/completions";

    JsonNode unauthorized = JSON.readTree(post(openRouter, chat("hi", false), null, null).body()).get("error");
    assertThat(unauthorized.get("code").isInt()).isTrue();
    assertThat(unauthorized.get("code").asInt()).isEqualTo(401);
    assertThat(unauthorized.get("message").asText()).isNotBlank();
    assertThat(unauthorized.has("type")).isFalse();

    String badRole = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}";
    HttpResponse<String> invalid = post(openRouter, badRole, key, null);
    assertThat(invalid.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(invalid.body()).get("error");
    assertThat(error.get("code").asInt()).isEqualTo(400);
    assertThat(error.at("/metadata/param").asText()).isEqualTo("messages[0].role");

    // Refused before the first event of a stream: the same shape, with the real status.
    String poorKey = keyFor("cus_poor_openrouter", KeyLimits.NONE);
    setBalance("cus_poor_openrouter", 10);
    HttpResponse<String> noCredit = post(openRouter, chat("hi", true), poorKey, "text/event-stream");
    assertThat(noCredit.statusCode()).isEqualTo(402);
    assertThat(JSON.readTree(noCredit.body()).at("/error/code").asInt()).isEqualTo(402);

    // Micronaut's own errors (unknown path) too.
    JsonNode unknownPath = JSON.readTree(get("/api/v1/nothing", key).body()).get("error");
    assertThat(unknownPath.get("code").asInt()).isEqualTo(404);

    // OpenAI's shape, untouched, under /v1.
    JsonNode openAi = JSON.readTree(post("/v1/chat/completions", badRole, key, null).body()).get("error");
    assertThat(openAi.get("code").isTextual()).isTrue();
    assertThat(openAi.get("type").asText()).isEqualTo("invalid_request_error");
    assertThat(openAi.get("param").asText()).isEqualTo("messages[0].role");
  }

  @Test
  void answers413ForABodyOverTheLimit() throws Exception {
    String huge = "x".repeat(2 * 1024 * 1024);

    HttpResponse<String> response = post(chat(huge, false), key);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(JSON.readTree(response.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void answers402WhenTheCreditCannotCoverTheWorstCase() throws Exception {
    String poorKey = keyFor("cus_poor", KeyLimits.NONE);
    setBalance("cus_poor", 10); // ten micro-USD: far below the worst case of a request

    HttpResponse<String> response = post(chat("hi", false), poorKey);

    assertThat(response.statusCode()).isEqualTo(402);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("insufficient_credit");
    assertThat(error.get("message").asText()).contains("$0.00001 remains");
  }

  @Test
  void answers429WithRetryAfterAndRateLimitHeadersOverTheKeysLimit() throws Exception {
    String limitedKey = keyFor("cus_limited", requestsPerMinute(1));
    setBalance("cus_limited", 1_000_000_000);

    assertThat(post(chat("one", false), limitedKey).statusCode()).isEqualTo(200);
    HttpResponse<String> second = post(chat("two", false), limitedKey);

    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    assertThat(second.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
    assertThat(second.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
  }

  @Test
  void answersAStreamedRequestRefusedBeforeItsFirstEventWithTheRealStatusAndHeaders() throws Exception {
    String limitedKey = keyFor("cus_limited_stream", requestsPerMinute(1));
    setBalance("cus_limited_stream", 1_000_000_000);

    assertThat(post(chat("one", true), limitedKey).statusCode()).isEqualTo(200);
    HttpResponse<String> second = post(chat("two", true), limitedKey);

    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(JSON.readTree(second.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(second.headers().firstValue("Retry-After")).isPresent();
    assertThat(second.headers().firstValue("X-RateLimit-Limit")).hasValue("1");
    assertThat(second.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
  }

  @Test
  void answers502ToAStreamedRequestWhenEveryProviderFailsBeforeItsFirstToken() throws Exception {
    Knobs failing = new Knobs(0, 0, 0, 1.0, 0, 1, -1, false, null, 0);
    sim.update("deepseek", failing);
    sim.update("together", failing);

    HttpResponse<String> response = post(chat("hello", true), key);

    assertThat(response.statusCode()).isEqualTo(502);
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertThat(error.get("type").asText()).isEqualTo("upstream_error");
    assertThat(error.path("metadata").path("raw").asText()).isNotBlank();
  }

  @Test
  void answers403ForAModelTheKeyMayNotUse() throws Exception {
    String narrowKey = keyFor("cus_narrow",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of("qwen/qwen3-32b")));
    setBalance("cus_narrow", 1_000_000_000);

    HttpResponse<String> response = post(chat("hi", false), narrowKey);

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).at("/error/param").asText()).isEqualTo("model");
  }

  @Test
  void answers408WhenNoProviderAnswersInTime() throws Exception {
    Knobs silent = new Knobs(0, 0, 0, 0, 0, 1, -1, true, null, 0);
    sim.update("deepseek", silent);
    sim.update("together", silent);

    HttpResponse<String> response = post(chat("anyone there?", false), key);

    assertThat(response.statusCode()).isEqualTo(408);
    assertThat(JSON.readTree(response.body()).at("/error/metadata/provider_name").asText()).isNotBlank();
  }

  @Test
  void answers503WhenNoEndpointMeetsTheRequestsConstraints() throws Exception {
    String body = "{\"model\":\"" + MODEL + "\",\"provider\":{\"only\":[\"nobody\"]},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    HttpResponse<String> response = post(body, key);

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(response.body()).at("/error/param").asText()).startsWith("provider");
  }

  @Test
  void chargesPromptTokensReadFromTheProvidersCacheAtTheCachedPrice() throws Exception {
    sim.update("deepseek", Knobs.builder().cachedPromptShare(0.5).build());

    HttpResponse<String> response = post(chat("a prompt long enough to have a cached half", false), key);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode usage = JSON.readTree(response.body()).get("usage");
    long prompt = usage.get("prompt_tokens").asLong();
    long cached = usage.at("/prompt_tokens_details/cached_tokens").asLong();
    long completion = usage.get("completion_tokens").asLong();
    assertThat(cached).isPositive().isEqualTo(prompt / 2);
    // Micro-USD, rounded up: uncached prompt at 0.27, cached at 0.07, completion at 1.10 per million.
    long expected = ((prompt - cached) * 270_000 + cached * 70_000 + completion * 1_100_000 + 999_999) / 1_000_000;
    assertThat(new java.math.BigDecimal(usage.get("cost").asText()).movePointRight(6).longValueExact())
        .isEqualTo(expected);
  }

  @Test
  void attachesTheRoutingBlockOnRequest() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .header("X-Silkroute-Metadata", "enabled")
        // The default order: no provider.sort.
        .POST(HttpRequest.BodyPublishers.ofString(chat("hi", false).replace("\"provider\":{\"sort\":\"price\"},", "")))
        .build(), HttpResponse.BodyHandlers.ofString());

    JsonNode routing = JSON.readTree(response.body()).get("routing");
    assertThat(routing.get("requested_model").asText()).isEqualTo(MODEL);
    assertThat(routing.get("candidates")).hasSize(2);
    assertThat(routing.at("/attempts/0/outcome").asText()).isNotBlank();
    assertThat(routing.get("strategy").asText()).isEqualTo("effective-cost");
    for (JsonNode candidate : routing.get("candidates")) {
      assertThat(candidate.get("list_cost").asDouble()).isPositive();
      assertThat(candidate.get("effective_cost").asDouble()).isPositive().isLessThanOrEqualTo(
          candidate.get("list_cost").asDouble());
      assertThat(candidate.get("cached_share").asDouble()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void servedGenerationsTeachRoutingEachEndpointsTokenMix() throws Exception {
    TokenMix mix = router.getBean(TokenMix.class);
    TrafficStats stats = router.getBean(TrafficStats.class);
    stats.refresh();
    long before = mix.mix("deepseek/" + MODEL).generations() + mix.mix("together/" + MODEL).generations();

    for (int i = 0; i < 3; i++) {
      assertThat(post(chat("count my tokens", false), key).statusCode()).isEqualTo(200);
    }

    stats.refresh(); // sends this replica's counts to Redis first, then reads them back
    TokenMix.Mix deepseek = mix.mix("deepseek/" + MODEL);
    TokenMix.Mix together = mix.mix("together/" + MODEL);
    assertThat(deepseek.generations() + together.generations() - before).isEqualTo(3);
    TokenMix.Mix served = deepseek.generations() >= together.generations() ? deepseek : together;
    assertThat(served.meanPrompt()).isPositive();
    assertThat(served.meanCompletion()).isPositive();
  }

  private static String keyFor(String customerId, KeyLimits limits) {
    return RouterAccounts.activeKey(prefix, customerId, "key_" + customerId, limits);
  }

  private static KeyLimits requestsPerMinute(long rpm) {
    return new KeyLimits(OptionalLong.empty(), OptionalLong.of(rpm), OptionalLong.empty(), Set.of());
  }

  private static void setBalance(String customerId, long micros) {
    RouterAccounts.setBalance(prefix, customerId, micros);
  }

  @Test
  void neverAnswersA5xxToAMangledBody() throws Exception {
    java.util.Random random = new java.util.Random(7);
    String valid = chat("hello there", false);
    for (int i = 0; i < 300; i++) {
      StringBuilder body = new StringBuilder(valid);
      for (int e = 0; e < 1 + random.nextInt(3); e++) {
        int at = random.nextInt(body.length());
        if (random.nextBoolean()) {
          body.setCharAt(at, (char) (32 + random.nextInt(95)));
        } else {
          body.delete(at, Math.min(body.length(), at + 1 + random.nextInt(12)));
        }
        if (body.length() == 0) {
          break;
        }
      }
      HttpResponse<String> response = post(body.toString(), key);

      assertThat(response.statusCode()).as(body.toString()).isLessThan(500);
      if (response.statusCode() >= 400) {
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).as(body.toString()).isNotBlank();
      }
    }
  }

  @Test
  void letsTheCallerLookUpItsGenerationButNobodyElse() throws Exception {
    HttpResponse<String> answer = post(chat("what did this cost?", false), key);
    JsonNode completion = JSON.readTree(answer.body());
    String id = completion.get("id").asText();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      HttpResponse<String> lookup = get("/v1/generation?id=" + id, key);
      assertThat(lookup.statusCode()).isEqualTo(200);
      OpenRouterSchemas.assertGeneration(JSON.readTree(lookup.body()));
      JsonNode data = JSON.readTree(lookup.body()).get("data");
      assertThat(data.get("id").asText()).isEqualTo(id);
      assertThat(data.get("native_tokens_prompt").asLong()).isEqualTo(completion.at("/usage/prompt_tokens").asLong());
      assertThat(data.get("api_type").asText()).isEqualTo("completions");
      assertThat(data.get("is_byok").asBoolean()).isFalse();
      assertThat(data.get("provider_name").asText()).isEqualTo("deepseek");
      assertThat(data.get("total_cost").decimalValue()).isEqualByComparingTo(completion.at("/usage/cost").decimalValue());
      assertThat(data.get("tokens_completion").asLong()).isEqualTo(completion.at("/usage/completion_tokens").asLong());
    });
    assertThat(get("/v1/generation?id=" + id, keyFor("cus_stranger", KeyLimits.NONE)).statusCode()).isEqualTo(404);
    HttpResponse<String> missingId = get("/api/v1/generation", key);
    assertThat(missingId.statusCode()).isEqualTo(400);
    OpenRouterSchemas.assertError(400, JSON.readTree(missingId.body()));
    OpenRouterSchemas.assertGeneration(JSON.readTree(get("/api/v1/generation?id=" + id, key).body()));
    assertThat(get("/v1/generation?id=" + id, null).statusCode()).isEqualTo(401);
  }

  private static HttpResponse<String> get(String path, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aClientThatGoesAwayCancelsTheUpstreamAndIsBilledForWhatWasGenerated() throws Exception {
    sim.update("deepseek", new Knobs(0, 20, 200, 0, 0, 1, -1, false, null, 0)); // 200 tokens at 20/s: 10 s

    HttpResponse<java.io.InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(chat("tell me a long story", true))).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    String id;
    try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()))) {
      String first = lines.readLine();
      while (!first.startsWith("data: {")) {
        first = lines.readLine();
      }
      id = JSON.readTree(first.substring(6)).get("id").asText();
      for (int read = 0; read < 6; read++) {
        lines.readLine(); // a few tokens, then hang up
      }
    }

    UsageEvent event = usageEvent(id);
    assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_CANCELLED);
    assertThat(event.getCompletionTokens()).isBetween(1L, 150L);
    assertThat(event.getLatencyMs()).isLessThan(8_000);
  }

  /** Strict price order, so that which provider serves is deterministic (the default draws at random). */
  private static ChatCompletionCreateParams.Builder params(String prompt) {
    return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(prompt)
        .putAdditionalBodyProperty("provider", com.openai.core.JsonValue.from(Map.of("sort", "price")));
  }

  private static String chat(String prompt, boolean stream) {
    return "{\"model\":\"" + MODEL + "\",\"provider\":{\"sort\":\"price\"},\"stream\":" + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt + "\"}]}";
  }

  private static HttpResponse<String> post(String body, String bearer) throws IOException, InterruptedException {
    return post("/v1/chat/completions", body, bearer, null);
  }

  private static HttpResponse<String> post(String path, String body, String bearer, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (accept != null) {
      request.header("Accept", accept);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<JsonNode> dataEvents(String sse) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        events.add(JSON.readTree(line.substring(6)));
      }
    }
    return events;
  }

  private static UsageEvent usageEvent(String generationId) {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (ConsumerRecord<String, byte[]> record : usageConsumer.poll(Duration.ofMillis(200))) {
        UsageEvent event = UsageEvent.parseFrom(record.value());
        assertThat(record.key()).isEqualTo(event.getCustomerId());
        usageEvents.put(event.getEventId(), event);
      }
      return usageEvents.containsKey(generationId);
    });
    return usageEvents.get(generationId);
  }
}
