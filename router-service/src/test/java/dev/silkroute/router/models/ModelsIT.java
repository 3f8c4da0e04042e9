package dev.silkroute.router.models;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.models.Model;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.api.OpenRouterSchemas;
import dev.silkroute.router.grpc.RunningRouter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The public model listing, read by the OpenAI SDK and as OpenRouter clients read it. No key is sent. */
class ModelsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  static Path dir;

  private static ProviderSim sim;
  private static RunningRouter router;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.anthropic("anthropic")));
    router = RunningRouter.start(sim, dir);
  }

  @AfterAll
  static void stop() {
    router.close();
    sim.close();
  }

  @Test
  void listsTheCatalogToTheOpenAiSdkWithoutAKey() {
    // The SDK insists on a key; a made-up one shows the listing does not look at it.
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(router.baseUrl() + "/v1").apiKey("unused")
        .maxRetries(0).build();
    try {
      List<Model> models = client.models().list().data();

      assertThat(models).extracting(Model::id).containsExactly(RunningRouter.DEEPSEEK, RunningRouter.CLAUDE);
      assertThat(models.get(0).ownedBy()).isEqualTo("deepseek");
      assertThat(models.get(0).created()).isPositive();
    } finally {
      client.close();
    }
  }

  @Test
  void describesEachModelAsOpenRouterDoes() throws Exception {
    JsonNode list = get("/api/v1/models");
    JsonNode deepseek = list.path("data").get(0);
    JsonNode claude = list.path("data").get(1);

    assertThat(deepseek.path("id").asText()).isEqualTo(RunningRouter.DEEPSEEK);
    assertThat(deepseek.path("name").asText()).isEqualTo("DeepSeek: DeepSeek V3");
    assertThat(deepseek.path("context_length").asLong()).isEqualTo(163_840);
    // The cheapest endpoint's list price, USD per token.
    assertThat(deepseek.at("/pricing/prompt").asText()).isEqualTo("0.00000027");
    assertThat(deepseek.at("/pricing/completion").asText()).isEqualTo("0.0000011");
    assertThat(deepseek.at("/architecture/modality").asText()).isEqualTo("text->text");
    assertThat(deepseek.at("/architecture/input_modalities/0").asText()).isEqualTo("text");
    assertThat(JSON.convertValue(deepseek.path("supported_parameters"), List.class))
        .contains("tools", "tool_choice", "max_tokens", "response_format", "seed");
    assertThat(claude.at("/pricing/completion").asText()).isEqualTo("0.000015");
    assertThat(JSON.convertValue(claude.path("supported_parameters"), List.class)).contains("top_k")
        .doesNotContain("seed");
    assertThat(get("/v1/models")).isEqualTo(list);
    OpenRouterSchemas.assertModelsList(list);
    assertThat(list.path("total_count").asInt()).isEqualTo(2);
  }

  @Test
  void pagesTheListAndRefusesBadPagingInEachBaseUrlsErrorShape() throws Exception {
    JsonNode first = get("/api/v1/models?limit=1");
    OpenRouterSchemas.assertModelsList(first);
    assertThat(first.path("data").findValuesAsText("id")).containsExactly(RunningRouter.DEEPSEEK);
    assertThat(first.path("total_count").asInt()).isEqualTo(2);
    String next = first.at("/links/next").asText();
    assertThat(next).isEqualTo("/api/v1/models?offset=1&limit=1");
    JsonNode second = get(next);
    assertThat(second.path("data").findValuesAsText("id")).containsExactly(RunningRouter.CLAUDE);
    assertThat(second.at("/links/next").isNull()).isTrue();

    HttpResponse<String> openRouter = send("/api/v1/models?limit=5000");
    assertThat(openRouter.statusCode()).isEqualTo(400);
    OpenRouterSchemas.assertError(400, JSON.readTree(openRouter.body()));
    assertThat(JSON.readTree(openRouter.body()).at("/error/metadata/param").asText()).isEqualTo("limit");
    HttpResponse<String> openAi = send("/v1/models?offset=-1");
    assertThat(openAi.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(openAi.body()).at("/error/param").asText()).isEqualTo("offset");
  }

  @Test
  void listsAModelsEndpointsWithTheirOwnPrices() throws Exception {
    JsonNode answer = get("/api/v1/models/deepseek/deepseek-chat-v3/endpoints");
    OpenRouterSchemas.assertEndpoints(answer);
    JsonNode data = answer.path("data");

    assertThat(data.path("id").asText()).isEqualTo(RunningRouter.DEEPSEEK);
    JsonNode endpoints = data.path("endpoints");
    assertThat(endpoints).hasSize(2);
    assertThat(endpoints.findValuesAsText("provider_name")).containsExactly("deepseek", "together");
    JsonNode together = endpoints.get(1);
    assertThat(together.at("/pricing/prompt").asText()).isEqualTo("0.00000125");
    assertThat(together.path("context_length").asLong()).isEqualTo(163_840);
    // No traffic yet: nothing measured, and the circuit closed (RoutingResilienceIT shows them filled).
    assertThat(together.path("uptime_last_30m").isNull()).isTrue();
    assertThat(together.path("latency_last_30m").isNull()).isTrue();
    assertThat(together.path("throughput_last_30m").isNull()).isTrue();
    assertThat(together.at("/stats/requests_1d").asLong()).isZero();
    assertThat(together.at("/stats/uptime_5m").isNull()).isTrue();
    assertThat(together.at("/stats/circuit").asText()).isEqualTo("closed");
    assertThat(together.at("/stats/health").asText()).isEqualTo("healthy");
    assertThat(together.path("status").asInt()).isZero();
    assertThat(together.path("model_id").asText()).isEqualTo(RunningRouter.DEEPSEEK);
    assertThat(get("/api/v1/models/deepseek/deepseek-chat-v3/endpoints")).isEqualTo(get(
        "/v1/models/deepseek/deepseek-chat-v3/endpoints"));
  }

  @Test
  void answersOneModelAndUnknownOnesWith404() throws Exception {
    assertThat(get("/v1/models/anthropic/claude-sonnet-4").path("id").asText()).isEqualTo(RunningRouter.CLAUDE);
    JsonNode openRouters = get("/api/v1/model/anthropic/claude-sonnet-4");
    OpenRouterSchemas.assertModel(openRouters);
    assertThat(openRouters.at("/data/id").asText()).isEqualTo(RunningRouter.CLAUDE);

    HttpResponse<String> unknown = send("/v1/models/nobody/nothing/endpoints");
    assertThat(unknown.statusCode()).isEqualTo(404);
    JsonNode error = JSON.readTree(unknown.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("model_not_found");
    assertThat(error.path("message").asText()).contains("nobody/nothing");
    HttpResponse<String> openRouter = send("/api/v1/models/nobody/nothing/endpoints");
    OpenRouterSchemas.assertError(404, JSON.readTree(openRouter.body()));
  }

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> response = send(path);
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
        type -> assertThat(type).startsWith("application/json"));
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> send(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
