package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionAssistantMessageParam;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.grpc.RunningRouter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What OpenAI's SDK and schemas demand of the router: a tools round trip streamed and not,
 * json_schema response formats passed through, and every answer, chunk and error valid against
 * OpenAI's published schemas.
 */
class OpenAiCompatibilityIT {

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
    openAi = OpenAIOkHttpClient.builder().baseUrl(router.baseUrl() + "/v1").apiKey(router.key()).maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    openAi.close();
    router.close();
    sim.close();
  }

  @Test
  void completesAToolRoundTripWithoutStreaming() throws Exception {
    for (String model : List.of(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE)) {
      ChatCompletion call = openAi.chat().completions().create(weatherRequest(model).build());
      ChatCompletionMessageFunctionToolCall toolCall =
          call.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
      assertThat(call.choices().get(0).finishReason().asString()).isEqualTo("tool_calls");
      assertThat(JSON.readTree(toolCall.function().arguments()).path("city").isTextual()).isTrue();

      ChatCompletion answer = openAi.chat().completions().create(weatherRequest(model)
          .addMessage(call.choices().get(0).message())
          .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(toolCall.id())
              .content("{\"temperature\": 21}").build())
          .build());

      assertThat(answer.choices().get(0).finishReason().asString()).as(model).isEqualTo("stop");
      assertThat(answer.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
    }
  }

  @Test
  void completesAToolRoundTripStreamed() throws Exception {
    for (String model : List.of(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE)) {
      Map<Long, String> ids = new TreeMap<>();
      Map<Long, String> names = new TreeMap<>();
      Map<Long, StringBuilder> arguments = new TreeMap<>();
      String finish = null;
      try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(
          weatherRequest(model).streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
              .build())) {
        for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
          for (ChatCompletionChunk.Choice choice : chunk.choices()) {
            choice.delta().toolCalls().ifPresent(calls -> calls.forEach(call -> {
              call.id().ifPresent(id -> ids.put(call.index(), id));
              call.function().flatMap(f -> f.name()).ifPresent(name -> names.put(call.index(), name));
              call.function().flatMap(f -> f.arguments()).ifPresent(fragment ->
                  arguments.computeIfAbsent(call.index(), i -> new StringBuilder()).append(fragment));
            }));
            if (choice.finishReason().isPresent()) {
              finish = choice.finishReason().get().asString();
            }
          }
        }
      }
      assertThat(finish).as(model).isEqualTo("tool_calls");
      assertThat(names).containsEntry(0L, "get_weather");
      assertThat(JSON.readTree(arguments.get(0L).toString()).path("city").isTextual()).isTrue();

      ChatCompletionMessageToolCall assembled = ChatCompletionMessageToolCall.ofFunction(
          ChatCompletionMessageFunctionToolCall.builder().id(ids.get(0L))
              .function(ChatCompletionMessageFunctionToolCall.Function.builder().name(names.get(0L))
                  .arguments(arguments.get(0L).toString()).build())
              .build());
      StringBuilder text = new StringBuilder();
      try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(weatherRequest(model)
          .addMessage(ChatCompletionAssistantMessageParam.builder().toolCalls(List.of(assembled)).build())
          .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(ids.get(0L)).content("{\"temperature\": 21}")
              .build())
          .build())) {
        stream.stream().flatMap(c -> c.choices().stream()).forEach(c -> c.delta().content().ifPresent(text::append));
      }
      assertThat(text).as(model).isNotEmpty();
    }
  }

  @Test
  void passesAJsonSchemaResponseFormatThrough() throws Exception {
    long before = sim.requestCount("deepseek") + sim.requestCount("together");
    ChatCompletion answer = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(RunningRouter.DEEPSEEK).addUserMessage("Give me a city as JSON")
        .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
            .name("city").strict(true)
            .schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("name", Map.of("type", "string"))))
                .build())
            .build()).build())
        .build());

    assertThat(answer.choices()).isNotEmpty();
    assertThat(sim.requestCount("deepseek") + sim.requestCount("together")).isEqualTo(before + 1);
    String served = String.valueOf(answer._additionalProperties().get("provider").asString().orElseThrow());
    JsonNode forwarded = JSON.readTree(sim.recentRequests(served).get(sim.recentRequests(served).size() - 1).body());
    assertThat(forwarded.at("/response_format/type").asText()).isEqualTo("json_schema");
    assertThat(forwarded.at("/response_format/json_schema/name").asText()).isEqualTo("city");
  }

  @Test
  void answersChunksAndErrorsMatchOpenAisPublishedSchemas() throws Exception {
    String body = "{\"model\":\"" + RunningRouter.DEEPSEEK + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    OpenAiSchemas.assertChatCompletion(JSON.readTree(post(body, router.key()).body()));

    String streamed = post(body.replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"model\""), router.key()).body();
    int chunks = 0;
    for (String line : streamed.split("\n")) {
      if (line.startsWith("data: {")) {
        OpenAiSchemas.assertChatCompletionChunk(JSON.readTree(line.substring(6)));
        chunks++;
      }
    }
    assertThat(chunks).isGreaterThan(2);
    assertThat(streamed).endsWith("data: [DONE]\n\n");

    OpenAiSchemas.assertError(JSON.readTree(post(body, null).body()));
    OpenAiSchemas.assertError(JSON.readTree(post("{\"model\":", router.key()).body()));
    OpenAiSchemas.assertError(JSON.readTree(post(body.replace(RunningRouter.DEEPSEEK, "no/such-model"), router.key())
        .body()));
  }

  private static HttpResponse<String> post(String body, String key) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(router.baseUrl() + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static ChatCompletionCreateParams.Builder weatherRequest(String model) {
    FunctionParameters parameters = FunctionParameters.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of(
            "city", Map.of("type", "string"),
            "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")))))
        .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit")))
        .build();
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addUserMessage("What is the weather in Xi'an?")
        .addTool(ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder().name("get_weather").parameters(parameters).build())
            .build())
        .toolChoice(ChatCompletionToolChoiceOption.ofNamedToolChoice(ChatCompletionNamedToolChoice.builder()
            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
            .build()));
  }
}
