package dev.silkroute.router.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.AnthropicServiceException;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.SseException;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceTool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.grpc.RunningRouter;
import dev.silkroute.testkit.Infra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
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
 * Anthropic's own Java SDK against the router's Messages ingress, for a model that is not Claude
 * (DeepSeek, served by OpenAI-protocol providers): text, streaming, a forced tool call and its
 * tool_result round trip streamed and not, count_tokens, and Anthropic's typed errors.
 */
class AnthropicMessagesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String MODEL = RunningRouter.DEEPSEEK;

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static RunningRouter router;
  private static AnthropicClient anthropic;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.anthropic("anthropic")));
    // A stream that fails before its first event answers with the failure's status, not 200 and an
    // error event: on a busy machine two failing attempts may take longer than the default bound.
    router = RunningRouter.start(sim, dir, Map.of("silkroute.router.stream-commit-after", "5s"));
    anthropic = client(router.key());
  }

  @AfterAll
  static void stop() {
    anthropic.close();
    router.close();
    sim.close();
  }

  @AfterEach
  void resetProviders() {
    sim.update("deepseek", Knobs.defaults());
    sim.update("together", Knobs.defaults());
  }

  private static AnthropicClient client(String key) {
    return AnthropicOkHttpClient.builder().baseUrl(router.baseUrl()).apiKey(key).maxRetries(0).build();
  }

  @Test
  void answersTextWithUsageThatLandsInTheLedgerOnce() {
    try (KafkaConsumer<String, byte[]> usage = usageConsumer()) {
      HttpResponseFor<Message> response = anthropic.messages().withRawResponse().create(MessageCreateParams.builder()
          .model(MODEL).maxTokens(256).system("Be brief.").addUserMessage("Say hello").build());
      Message message = response.parse();

      assertThat(message.content()).hasSize(1);
      assertThat(message.content().get(0).asText().text()).isNotBlank();
      assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
      assertThat(message.usage().inputTokens()).isPositive();
      assertThat(message.usage().outputTokens()).isPositive();
      String generationId = response.headers().values("request-id").get(0);
      assertThat(message.id()).isEqualTo(generationId);

      List<UsageEvent> events = usageEvents(usage, generationId);
      assertThat(events).hasSize(1);
      assertThat(events.get(0).getCompletionTokens()).isEqualTo(message.usage().outputTokens());
    }
  }

  @Test
  void streamsAnthropicsEventSequence() {
    List<RawMessageStreamEvent> events = new ArrayList<>();
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(
        MessageCreateParams.builder().model(MODEL).maxTokens(256).addUserMessage("Tell me a story").build())) {
      stream.stream().forEach(event -> {
        events.add(event);
        accumulator.accumulate(event);
      });
    }
    Message message = accumulator.message();

    assertThat(events.get(0).isMessageStart()).isTrue();
    assertThat(events.get(1).isContentBlockStart()).isTrue();
    assertThat(events.get(events.size() - 3).isContentBlockStop()).isTrue();
    assertThat(events.get(events.size() - 2).isMessageDelta()).isTrue();
    assertThat(events.get(events.size() - 1).isMessageStop()).isTrue();
    assertThat(events.stream().filter(RawMessageStreamEvent::isContentBlockDelta).count()).isGreaterThan(1);
    assertThat(message.content().get(0).asText().text()).isNotBlank();
    assertThat(message.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(message.usage().outputTokens()).isPositive();
  }

  @Test
  void writesPingAndNamedEventsOnTheWire() throws Exception {
    HttpResponse<String> response = post("/v1/messages", "{\"model\":\"" + MODEL + "\",\"max_tokens\":64,"
        + "\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", router.key());

    assertThat(response.statusCode()).isEqualTo(200);
    List<String> names = response.body().lines().filter(l -> l.startsWith("event: "))
        .map(l -> l.substring(7)).distinct().toList();
    assertThat(names).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop");
    assertThat(response.body()).doesNotContain("[DONE]");
  }

  @Test
  void forcesAToolCallAndCompletesTheRoundTripWithoutStreaming() throws Exception {
    Message call = anthropic.messages().create(weather().toolChoice(ToolChoiceTool.builder().name("get_weather")
        .build()).build());

    assertThat(call.stopReason()).hasValue(StopReason.TOOL_USE);
    ToolUseBlock toolUse = call.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow()
        .asToolUse();
    assertThat(toolUse.name()).isEqualTo("get_weather");
    assertThat(JSON.readTree(JSON.writeValueAsString(toolUse._input())).path("city").isTextual()).isTrue();

    Message answer = anthropic.messages().create(weather().addMessage(call)
        .addUserMessageOfContentBlockParams(List.of(toolResult(toolUse.id()))).build());

    assertThat(answer.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(answer.content().get(0).asText().text()).isNotBlank();
  }

  @Test
  void forcesAToolCallAndCompletesTheRoundTripStreamed() throws Exception {
    Message call = streamed(weather().toolChoice(ToolChoiceTool.builder().name("get_weather").build()).build());

    assertThat(call.stopReason()).hasValue(StopReason.TOOL_USE);
    ToolUseBlock toolUse = call.content().stream().filter(ContentBlock::isToolUse).findFirst().orElseThrow()
        .asToolUse();
    assertThat(toolUse.name()).isEqualTo("get_weather");
    // Assembled by the SDK from input_json_delta fragments.
    assertThat(JSON.readTree(JSON.writeValueAsString(toolUse._input())).path("city").isTextual()).isTrue();

    Message answer = streamed(weather().addMessage(call)
        .addUserMessageOfContentBlockParams(List.of(toolResult(toolUse.id()))).build());

    assertThat(answer.stopReason()).hasValue(StopReason.END_TURN);
    assertThat(answer.content().get(0).asText().text()).isNotBlank();
  }

  @Test
  void countsTokensOfAPrompt() {
    long few = anthropic.messages().countTokens(MessageCountTokensParams.builder().model(MODEL)
        .addUserMessage("hi").build()).inputTokens();
    long more = anthropic.messages().countTokens(MessageCountTokensParams.builder().model(MODEL)
        .system("You are a meteorologist who answers in verse.")
        .addUserMessage("What will the weather be like in Lisbon tomorrow afternoon?").build()).inputTokens();

    assertThat(few).isPositive();
    assertThat(more).isGreaterThan(few + 10);
    assertThatThrownBy(() -> anthropic.messages().countTokens(MessageCountTokensParams.builder()
        .model("no/such-model").addUserMessage("hi").build())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void refusesAnUnknownKeyWith401() {
    AnthropicClient stranger = client("sk-not-a-key");
    try {
      assertThatThrownBy(() -> stranger.messages().create(hello(MODEL)))
          .isInstanceOfSatisfying(UnauthorizedException.class,
              e -> assertThat(errorType(e)).isEqualTo("authentication_error"));
    } finally {
      stranger.close();
    }
  }

  @Test
  void refusesAnUnknownModelWith404() {
    assertThatThrownBy(() -> anthropic.messages().create(hello("no/such-model")))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(errorType(e)).isEqualTo("not_found_error");
          assertThat(e.getMessage()).contains("no/such-model");
        });
  }

  @Test
  void refusesABadFieldWith400NamingIt() {
    assertThatThrownBy(() -> anthropic.messages().create(weather().toolChoice(ToolChoiceTool.builder().name("nope")
        .build()).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> {
          assertThat(errorType(e)).isEqualTo("invalid_request_error");
          assertThat(e.getMessage()).contains("tool_choice.name");
        });
    // Anthropic's range, not OpenAI's: this SDK no longer sends sampling fields, older clients do.
    assertThatThrownBy(() -> anthropic.messages().create(MessageCreateParams.builder().model(MODEL).maxTokens(64)
        .putAdditionalBodyProperty("temperature", JsonValue.from(1.5)).addUserMessage("hi").build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage()).contains("temperature"));
  }

  @Test
  void refusesOverTheKeysRateLimitWith429() {
    AnthropicClient limited = client(router.keyFor("cus_anthropic_rpm",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(1), OptionalLong.empty(), Set.of())));
    try {
      limited.messages().create(hello(MODEL));
      assertThatThrownBy(() -> limited.messages().create(hello(MODEL)))
          .isInstanceOfSatisfying(RateLimitException.class, e -> {
            assertThat(errorType(e)).isEqualTo("rate_limit_error");
            assertThat(e.headers().values("retry-after")).isNotEmpty();
          });
    } finally {
      limited.close();
    }
  }

  @Test
  void answers529OverloadedWhenEveryProviderFailsStreamedOrNot() {
    Knobs failing = new Knobs(0, 0, 0, 1.0, 0, 1, -1, false, null, 0);
    sim.update("deepseek", failing);
    sim.update("together", failing);

    assertThatThrownBy(() -> anthropic.messages().create(hello(MODEL)))
        .isInstanceOfSatisfying(OverloadedException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(529);
          assertThat(errorType(e)).isEqualTo("overloaded_error");
        });
    assertThatThrownBy(() -> streamed(hello(MODEL)))
        .isInstanceOfSatisfying(OverloadedException.class, e -> assertThat(e.statusCode()).isEqualTo(529));
  }

  @Test
  void endsAStreamCutMidwayWithAnErrorEventTheSdkRaises() {
    Knobs cutting = new Knobs(0, 0, 40, 0, 0, 1, 3, false, null, 0);
    sim.update("deepseek", cutting);
    sim.update("together", cutting);

    assertThatThrownBy(() -> streamed(hello(MODEL)))
        .isInstanceOf(SseException.class)
        .hasMessageContaining("overloaded_error");
  }

  @Test
  void writesErrorsInAnthropicsShapeUnderBothBaseUrls() throws Exception {
    for (String path : List.of("/v1/messages", "/api/v1/messages", "/v1/messages/count_tokens")) {
      HttpResponse<String> noKey = post(path, "{}", null);
      assertThat(noKey.statusCode()).as(path).isEqualTo(401);
      assertAnthropicError(noKey.body(), "authentication_error");

      HttpResponse<String> broken = post(path, "{\"model\":", router.key());
      assertThat(broken.statusCode()).as(path).isEqualTo(400);
      assertAnthropicError(broken.body(), "invalid_request_error");

      HttpResponse<String> noMessages = post(path, "{\"model\":\"" + MODEL + "\",\"max_tokens\":5}", router.key());
      assertThat(noMessages.statusCode()).as(path).isEqualTo(400);
      assertThat(JSON.readTree(noMessages.body()).at("/error/message").asText()).startsWith("messages:");
    }
    HttpResponse<String> badVersion = HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl() + "/v1/messages"))
        .header("x-api-key", router.key()).header("anthropic-version", "latest")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(badVersion.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(badVersion.body()).at("/error/message").asText()).startsWith("anthropic-version");
  }

  @Test
  void acceptsABearerTokenAsWellAsXApiKey() throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl() + "/api/v1/messages"))
        .header("Authorization", "Bearer " + router.key()).header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + MODEL + "\",\"max_tokens\":32,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("type").asText()).isEqualTo("message");
  }

  @Test
  void mangledBodiesOverHttpAreServedOrRefusedWith400NeverAServerError() throws Exception {
    String key = router.keyFor("cus_anthropic_fuzz", KeyLimits.NONE);
    java.util.Random random = new java.util.Random(20261206);
    int refused = 0;
    for (int i = 0; i < 2_000; i++) {
      String body = AnthropicRequestFuzzTest.mangle(AnthropicRequestFuzzTest.VALID, random);
      HttpResponse<String> response = post(i % 2 == 0 ? "/v1/messages" : "/v1/messages/count_tokens", body, key);
      // 404: the mangling renamed the model.
      assertThat(response.statusCode()).as(body).isIn(200, 400, 404);
      if (response.statusCode() != 200) {
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.path("type").asText()).as(body).isEqualTo("error");
        assertThat(error.at("/error/type").asText()).as(body)
            .isEqualTo(response.statusCode() == 404 ? "not_found_error" : "invalid_request_error");
        assertThat(error.at("/error/message").asText()).as(body).isNotBlank();
        refused += response.statusCode() == 400 ? 1 : 0;
      }
    }
    assertThat(refused).as("the fuzzer must actually break bodies").isGreaterThan(500);
  }

  private static void assertAnthropicError(String body, String type) throws Exception {
    JsonNode error = JSON.readTree(body);
    assertThat(error.path("type").asText()).as(body).isEqualTo("error");
    assertThat(error.at("/error/type").asText()).as(body).isEqualTo(type);
    assertThat(error.at("/error/message").asText()).as(body).isNotBlank();
  }

  private static String errorType(AnthropicServiceException e) {
    try {
      return JSON.readTree(JSON.writeValueAsString(e.body())).at("/error/type").asText();
    } catch (Exception unreadable) {
      throw new AssertionError(unreadable);
    }
  }

  private static Message streamed(MessageCreateParams params) {
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> stream = anthropic.messages().createStreaming(params)) {
      stream.stream().forEach((Consumer<RawMessageStreamEvent>) accumulator::accumulate);
    }
    return accumulator.message();
  }

  private static MessageCreateParams hello(String model) {
    return MessageCreateParams.builder().model(model).maxTokens(64).addUserMessage("hello").build();
  }

  private static MessageCreateParams.Builder weather() {
    return MessageCreateParams.builder().model(MODEL).maxTokens(256)
        .addUserMessage("What is the weather in Lisbon?")
        .addTool(Tool.builder().name("get_weather").description("The current weather in a city")
            .inputSchema(Tool.InputSchema.builder()
                .properties(JsonValue.from(Map.of(
                    "city", Map.of("type", "string"),
                    "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                .required(List.of("city", "unit"))
                .build())
            .build());
  }

  private static ContentBlockParam toolResult(String toolUseId) {
    return ContentBlockParam.ofToolResult(ToolResultBlockParam.builder().toolUseId(toolUseId)
        .content("{\"temperature\": 21}").build());
  }

  private static HttpResponse<String> post(String path, String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + path))
        .header("Content-Type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("x-api-key", key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static KafkaConsumer<String, byte[]> usageConsumer() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("messagesit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(router.usageTopic()));
    return consumer;
  }

  /** Every usage event of {@code generationId}: waits for the first, then a while for any duplicate. */
  private static List<UsageEvent> usageEvents(KafkaConsumer<String, byte[]> consumer, String generationId) {
    List<UsageEvent> seen = new ArrayList<>();
    Runnable poll = () -> {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
        try {
          UsageEvent event = UsageEvent.parseFrom(record.value());
          if (event.getEventId().equals(generationId)) {
            seen.add(event);
          }
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
          throw new AssertionError(e);
        }
      }
    };
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      poll.run();
      return !seen.isEmpty();
    });
    for (int i = 0; i < 5; i++) {
      poll.run();
    }
    return seen;
  }
}
