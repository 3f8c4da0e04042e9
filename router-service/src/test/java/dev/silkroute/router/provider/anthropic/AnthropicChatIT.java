package dev.silkroute.router.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.grpc.RunningRouter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An OpenAI SDK client served by an Anthropic-protocol provider through the router, without noticing. */
class AnthropicChatIT {

  private static final ObjectMapper JSON = new ObjectMapper();

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
  void answersWithAnOpenAiCompletionAndUsage() {
    ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(RunningRouter.CLAUDE).addSystemMessage("Be brief.").addUserMessage("Hello there").build());

    assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(c -> assertThat(c).isNotBlank());
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion._additionalProperties().get("provider").asString()).hasValue("anthropic");
    assertThat(completion.usage().orElseThrow().promptTokens()).isPositive();
  }

  @Test
  void streamsAToolCallTheSdkCanAssemble() throws Exception {
    ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
        .name("get_weather")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city")))
            .build())
        .build()).build();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(RunningRouter.CLAUDE)
        .addUserMessage("Weather in Paris?").addTool(weather)
        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).build();

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    StringBuilder arguments = new StringBuilder();
    List<String> names = new ArrayList<>();
    chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.delta().toolCalls().stream().flatMap(List::stream))
        .forEach(call -> {
          call.function().flatMap(f -> f.name()).ifPresent(names::add);
          call.function().flatMap(f -> f.arguments()).ifPresent(arguments::append);
        });
    assertThat(names).containsExactly("get_weather");
    assertThat(JSON.readTree(arguments.toString()).path("city").isTextual()).isTrue();
    assertThat(chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.finishReason().stream()))
        .containsExactly(ChatCompletionChunk.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isPositive();
  }
}
