package dev.silkroute.router.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceFunction;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.api.OpenAiSchemas;
import dev.silkroute.router.grpc.RunningRouter;
import dev.silkroute.testkit.Infra;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's Responses API on the router, driven by OpenAI's own Java SDK (validating every answer it
 * reads) against the running router and provider-sim: text, a function tool and its output round
 * trip, streamed and not, for an OpenAI-protocol and an Anthropic-protocol model; every response,
 * event and error checked against OpenAI's published schemas; refusals in each path's error shape;
 * one usage event per response, on the real Kafka.
 */
class ResponsesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static RunningRouter router;
  private static OpenAIClient openAi;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.anthropic("anthropic")));
    router = RunningRouter.start(sim, dir);
    openAi = OpenAIOkHttpClient.builder().baseUrl(router.baseUrl() + "/v1").apiKey(router.key()).maxRetries(0)
        .responseValidation(true).build();
  }

  @AfterAll
  static void stop() {
    openAi.close();
    router.close();
    sim.close();
  }

  @Test
  void answersAStringInputWithTextAndUsageWithCost() {
    Response response = openAi.responses().create(ResponseCreateParams.builder().model(RunningRouter.DEEPSEEK)
        .instructions("Be brief.").input("Say hello").maxOutputTokens(64).build());

    assertThat(response.status()).contains(ResponseStatus.COMPLETED);
    assertThat(response.id()).startsWith("gen-");
    String text = response.output().get(0).asMessage().content().get(0).asOutputText().text();
    assertThat(text).isNotBlank();
    assertThat(response.usage().orElseThrow().inputTokens()).isPositive();
    assertThat(response.usage().orElseThrow().totalTokens()).isEqualTo(
        response.usage().orElseThrow().inputTokens() + response.usage().orElseThrow().outputTokens());
    assertThat(response.usage().orElseThrow()._additionalProperties()).containsKey("cost");
    assertThat(response.instructions()).isPresent();
  }

  @Test
  void completesAFunctionToolRoundTripWithoutStreaming() throws Exception {
    for (String model : List.of(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE)) {
      Response call = openAi.responses().create(weatherRequest(model, List.of(question())).build());
      ResponseFunctionToolCall toolCall = call.output().stream().filter(ResponseOutputItem::isFunctionCall)
          .findFirst().orElseThrow().asFunctionCall();
      assertThat(toolCall.name()).as(model).isEqualTo("get_weather");
      assertThat(JSON.readTree(toolCall.arguments()).path("city").isTextual()).isTrue();

      Response answer = openAi.responses().create(weatherRequest(model, List.of(question(),
          ResponseInputItem.ofFunctionCall(toolCall),
          ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
              .callId(toolCall.callId()).output("{\"temperature\": 21}").build())))
          .toolChoice(com.openai.models.responses.ToolChoiceOptions.AUTO).build());

      assertThat(answer.status()).as(model).contains(ResponseStatus.COMPLETED);
      assertThat(answer.output().get(0).asMessage().content().get(0).asOutputText().text()).as(model).isNotBlank();
    }
  }

  @Test
  void completesAFunctionToolRoundTripStreamed() throws Exception {
    for (String model : List.of(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE)) {
      List<ResponseStreamEvent> events = stream(weatherRequest(model, List.of(question())).build());
      ResponseFunctionToolCall toolCall = events.stream().flatMap(e -> e.outputItemDone().stream())
          .map(done -> done.item()).filter(ResponseOutputItem::isFunctionCall).findFirst().orElseThrow()
          .asFunctionCall();
      String argumentsDone = events.stream().flatMap(e -> e.functionCallArgumentsDone().stream())
          .findFirst().orElseThrow().arguments();
      assertThat(argumentsDone).isEqualTo(toolCall.arguments());
      assertThat(JSON.readTree(toolCall.arguments()).path("city").isTextual()).as(model).isTrue();
      assertThat(events.get(events.size() - 1).completed()).as(model).isPresent();

      List<ResponseStreamEvent> answer = stream(weatherRequest(model, List.of(question(),
          ResponseInputItem.ofFunctionCall(toolCall),
          ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
              .callId(toolCall.callId()).output("{\"temperature\": 21}").build())))
          .toolChoice(com.openai.models.responses.ToolChoiceOptions.AUTO).build());
      StringBuilder text = new StringBuilder();
      answer.forEach(e -> e.outputTextDelta().ifPresent(delta -> text.append(delta.delta())));
      assertThat(text).as(model).isNotEmpty();
      Response completed = answer.get(answer.size() - 1).completed().orElseThrow().response();
      assertThat(completed.output().get(0).asMessage().content().get(0).asOutputText().text())
          .isEqualTo(text.toString());
      assertThat(completed.usage().orElseThrow().outputTokens()).isPositive();
    }
  }

  @Test
  void streamsNamedEventsInOrderEachValidAgainstOpenAisSchemas() throws Exception {
    HttpResponse<String> streamed = post("/v1/responses", "{\"model\":\"" + RunningRouter.DEEPSEEK
        + "\",\"input\":\"Say hello\",\"stream\":true}", router.key(), "text/event-stream");

    assertThat(streamed.statusCode()).isEqualTo(200);
    assertThat(streamed.headers().firstValue("content-type").orElseThrow()).startsWith("text/event-stream");
    List<String> types = new ArrayList<>();
    for (String frame : streamed.body().split("\n\n")) {
      if (frame.startsWith(":") || frame.isBlank()) {
        continue;
      }
      String[] lines = frame.split("\n");
      assertThat(lines).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      JsonNode event = JSON.readTree(lines[1].substring("data: ".length()));
      assertThat(event.get("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
      assertThat(event.get("sequence_number").asInt()).isEqualTo(types.size());
      OpenAiSchemas.assertResponseEvent(event);
      types.add(event.get("type").asText());
    }
    assertThat(types.subList(0, 4)).containsExactly("response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added");
    assertThat(types).contains("response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done");
    assertThat(types.get(types.size() - 1)).isEqualTo("response.completed");
    assertThat(streamed.body()).doesNotContain("[DONE]");

    JsonNode answer = JSON.readTree(post("/v1/responses", "{\"model\":\"" + RunningRouter.DEEPSEEK
        + "\",\"input\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"metadata\":{\"k\":\"v\"}}", router.key(),
        "application/json").body());
    OpenAiSchemas.assertResponse(answer);
    assertThat(answer.at("/metadata/k").asText()).isEqualTo("v");
  }

  @Test
  void refusesWhatItDoesNotSupportWithA400NamingTheFieldInEachPathsShape() throws Exception {
    String stateful = "{\"model\":\"" + RunningRouter.DEEPSEEK + "\",\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}";
    HttpResponse<String> openAiShape = post("/v1/responses", stateful, router.key(), "application/json");
    assertThat(openAiShape.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(openAiShape.body());
    OpenAiSchemas.assertError(error);
    assertThat(error.at("/error/param").asText()).isEqualTo("previous_response_id");

    HttpResponse<String> openRouterShape = post("/api/v1/responses", stateful, router.key(), "application/json");
    assertThat(openRouterShape.statusCode()).isEqualTo(400);
    JsonNode openRouterError = JSON.readTree(openRouterShape.body());
    assertThat(openRouterError.at("/error/code").asInt()).isEqualTo(400);
    assertThat(openRouterError.at("/error/metadata/param").asText()).isEqualTo("previous_response_id");

    JsonNode builtIn = JSON.readTree(post("/v1/responses", "{\"model\":\"" + RunningRouter.DEEPSEEK
        + "\",\"input\":\"hi\",\"tools\":[{\"type\":\"web_search\"}]}", router.key(), "application/json").body());
    assertThat(builtIn.at("/error/param").asText()).isEqualTo("tools[0].type");

    assertThat(post("/v1/responses", "{\"model\":\"no/such-model\",\"input\":\"hi\"}", router.key(),
        "application/json").statusCode()).isEqualTo(404);
    HttpResponse<String> unauthorized = post("/v1/responses", "{\"model\":\"a/b\",\"input\":\"hi\"}", null,
        "application/json");
    assertThat(unauthorized.statusCode()).isEqualTo(401);
    OpenAiSchemas.assertError(JSON.readTree(unauthorized.body()));

    assertThatThrownBy(() -> openAi.responses().create(ResponseCreateParams.builder().model(RunningRouter.DEEPSEEK)
        .input("hi").background(true).build()))
        .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage()).contains("background"));
  }

  @Test
  void publishesOneUsageEventPerResponseStreamedOrNot() throws Exception {
    try (KafkaConsumer<String, byte[]> consumer = usageConsumer()) {
      Response plain = openAi.responses().create(ResponseCreateParams.builder().model(RunningRouter.DEEPSEEK)
          .input("Say hello").build());
      List<ResponseStreamEvent> events = stream(ResponseCreateParams.builder().model(RunningRouter.DEEPSEEK)
          .input("Say hello").build());
      Response streamed = events.get(events.size() - 1).completed().orElseThrow().response();

      Map<String, List<UsageEvent>> seen = new HashMap<>();
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        poll(consumer, seen);
        return seen.containsKey(plain.id()) && seen.containsKey(streamed.id());
      });
      poll(consumer, seen); // a second event would have come with the first

      for (Response response : List.of(plain, streamed)) {
        assertThat(seen.get(response.id())).hasSize(1);
        UsageEvent usage = seen.get(response.id()).get(0);
        assertThat(usage.getPromptTokens()).isEqualTo(response.usage().orElseThrow().inputTokens());
        assertThat(usage.getCompletionTokens()).isEqualTo(response.usage().orElseThrow().outputTokens());
        BigDecimal cost = new BigDecimal(response.usage().orElseThrow()._additionalProperties().get("cost").toString());
        assertThat(cost.movePointRight(6)).isEqualByComparingTo(BigDecimal.valueOf(usage.getPriceMicros()));
      }
      assertThat(seen.get(streamed.id()).get(0).getStreamed()).isTrue();
    }
  }

  private static void poll(KafkaConsumer<String, byte[]> consumer, Map<String, List<UsageEvent>> seen)
      throws Exception {
    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
      UsageEvent event = UsageEvent.parseFrom(record.value());
      seen.computeIfAbsent(event.getEventId(), id -> new ArrayList<>()).add(event);
    }
  }

  private static KafkaConsumer<String, byte[]> usageConsumer() {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("responsesit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
        new ByteArrayDeserializer());
    consumer.subscribe(List.of(router.usageTopic()));
    return consumer;
  }

  private static List<ResponseStreamEvent> stream(ResponseCreateParams params) {
    try (StreamResponse<ResponseStreamEvent> stream = openAi.responses().createStreaming(params)) {
      List<ResponseStreamEvent> events = stream.stream().toList();
      for (int i = 0; i < events.size(); i++) {
        events.get(i).validate();
      }
      return events;
    }
  }

  private static ResponseInputItem question() {
    return ResponseInputItem.ofEasyInputMessage(com.openai.models.responses.EasyInputMessage.builder()
        .role(com.openai.models.responses.EasyInputMessage.Role.USER).content("What is the weather in Xi'an?").build());
  }

  private static ResponseCreateParams.Builder weatherRequest(String model, List<ResponseInputItem> input) {
    return ResponseCreateParams.builder().model(model).inputOfResponse(input).store(false)
        .addTool(FunctionTool.builder().name("get_weather").strict(false)
            .parameters(FunctionTool.Parameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                    "city", Map.of("type", "string"),
                    "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit")))
                .build())
            .build())
        .toolChoice(ToolChoiceFunction.builder().name("get_weather").build());
  }

  private static HttpResponse<String> post(String path, String body, String key, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + path))
        .header("Content-Type", "application/json").header("Accept", accept)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
