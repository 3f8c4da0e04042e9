package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK as a real client of the simulator. */
class OpenAiSdkTest {

  private static ProviderSim sim;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek")));
    client = OpenAIOkHttpClient.builder()
        .baseUrl(sim.baseUrl("deepseek"))
        .apiKey("sk-test")
        .maxRetries(0)
        .build();
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  @Test
  void answersNonStreamRequestWithTextAndUsage() {
    ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("deepseek-chat")
        .addUserMessage("Tell me about the silk road")
        .build());

    assertThat(completion.id()).startsWith("chatcmpl-");
    assertThat(completion.model()).isEqualTo("deepseek-chat");
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason().asString()).isEqualTo("stop");
    String content = choice.message().content().orElseThrow();
    assertThat(content).isNotBlank();
    CompletionUsage usage = completion.usage().orElseThrow();
    // One token per generated word; "Tell me about the silk road" = 27 chars -> 7 tokens + 4 framing.
    assertThat(usage.completionTokens()).isEqualTo(content.split(" ").length);
    assertThat(usage.promptTokens()).isEqualTo(11);
    assertThat(usage.totalTokens()).isEqualTo(usage.promptTokens() + usage.completionTokens());
  }

  @Test
  void streamsContentDeltasThenFinishThenUsageChunk() {
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
        .model("deepseek-chat")
        .addUserMessage("Stream me something")
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    ChatCompletionChunk first = chunks.get(0);
    assertThat(first.choices().get(0).delta().role()).isPresent();
    StringBuilder text = new StringBuilder();
    chunks.stream().flatMap(c -> c.choices().stream())
        .forEach(c -> c.delta().content().ifPresent(text::append));
    ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
    assertThat(finish.choices().get(0).finishReason().orElseThrow().asString()).isEqualTo("stop");
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    CompletionUsage usage = last.usage().orElseThrow();
    assertThat(usage.completionTokens()).isEqualTo(text.toString().split(" ").length);
    assertThat(chunks).allSatisfy(c -> assertThat(c.id()).isEqualTo(first.id()));

    // Same request without streaming: same text (content is a function of the request).
    ChatCompletion plain = client.chat().completions().create(params.toBuilder().streamOptions(
        java.util.Optional.empty()).build());
    assertThat(plain.choices().get(0).message().content()).contains(text.toString());
  }

  @Test
  void honoursMaxCompletionTokensWithFinishReasonLength() {
    ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
        .model("deepseek-chat")
        .addUserMessage("Say a lot")
        .maxCompletionTokens(3)
        .build());

    assertThat(completion.choices().get(0).finishReason().asString()).isEqualTo("length");
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(3);
  }

  @Test
  void forcedToolChoiceYieldsArgumentsMatchingTheSchema() throws Exception {
    ChatCompletion completion = client.chat().completions().create(weatherRequest().build());

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertThat(choice.finishReason().asString()).isEqualTo("tool_calls");
    ChatCompletionMessageFunctionToolCall call =
        choice.message().toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.id()).startsWith("call_");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertWeatherArguments(RawClient.json(call.function().arguments()));
  }

  @Test
  void streamsToolCallArgumentsInSeveralFragments() throws Exception {
    List<String> fragments = new ArrayList<>();
    String finishReason = null;
    try (StreamResponse<ChatCompletionChunk> stream =
        client.chat().completions().createStreaming(weatherRequest().build())) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        for (ChatCompletionChunk.Choice choice : chunk.choices()) {
          choice.delta().toolCalls().ifPresent(calls -> calls.forEach(call ->
              call.function().flatMap(f -> f.arguments()).filter(a -> !a.isEmpty()).ifPresent(fragments::add)));
          if (choice.finishReason().isPresent()) {
            finishReason = choice.finishReason().get().asString();
          }
        }
      }
    }

    assertThat(fragments).hasSizeGreaterThan(2);
    assertThat(finishReason).isEqualTo("tool_calls");
    assertWeatherArguments(RawClient.json(String.join("", fragments)));
  }

  @Test
  void answersInTextOnceTheToolResultIsBack() {
    ChatCompletion call = client.chat().completions().create(weatherRequest().build());
    ChatCompletionMessageFunctionToolCall toolCall =
        call.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();

    ChatCompletion answer = client.chat().completions().create(weatherRequest()
        .addMessage(call.choices().get(0).message())
        .addMessage(ChatCompletionToolMessageParam.builder()
            .toolCallId(toolCall.id())
            .content("{\"temperature\": 21}")
            .build())
        .build());

    assertThat(answer.choices().get(0).finishReason().asString()).isEqualTo("stop");
    assertThat(answer.choices().get(0).message().content()).hasValueSatisfying(t -> assertThat(t).isNotBlank());
    assertThat(answer.choices().get(0).message().toolCalls().orElse(List.of())).isEmpty();
  }

  private static ChatCompletionCreateParams.Builder weatherRequest() {
    FunctionParameters parameters = FunctionParameters.builder()
        .putAdditionalProperty("type", JsonValue.from("object"))
        .putAdditionalProperty("properties", JsonValue.from(Map.of(
            "city", Map.of("type", "string"),
            "unit", Map.of("type", "string", "enum", List.of("celsius", "fahrenheit")),
            "days", Map.of("type", "integer", "minimum", 1, "maximum", 7),
            "hourly", Map.of("type", "boolean"),
            "tags", Map.of("type", "array", "items", Map.of("type", "string"), "minItems", 1))))
        .putAdditionalProperty("required", JsonValue.from(List.of("city", "unit", "days")))
        .build();
    return ChatCompletionCreateParams.builder()
        .model("deepseek-chat")
        .addUserMessage("What is the weather in Xi'an?")
        .addTool(ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder().name("get_weather").parameters(parameters).build())
            .build())
        .toolChoice(ChatCompletionToolChoiceOption.ofNamedToolChoice(ChatCompletionNamedToolChoice.builder()
            .function(ChatCompletionNamedToolChoice.Function.builder().name("get_weather").build())
            .build()));
  }

  private static void assertWeatherArguments(JsonNode arguments) {
    assertThat(arguments.path("city").isTextual()).isTrue();
    assertThat(arguments.path("unit").asText()).isIn("celsius", "fahrenheit");
    assertThat(arguments.path("days").isIntegralNumber()).isTrue();
    assertThat(arguments.path("days").asInt()).isBetween(1, 7);
    assertThat(arguments.path("hourly").isBoolean()).isTrue();
    assertThat(arguments.path("tags").isArray()).isTrue();
    assertThat(arguments.path("tags")).isNotEmpty();
  }
}
