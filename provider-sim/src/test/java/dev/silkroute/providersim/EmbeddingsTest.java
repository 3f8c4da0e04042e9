package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/embeddings}: OpenAI's SDK as the client, deterministic vectors, OpenAI's errors. */
class EmbeddingsTest {

  private static final RawClient RAW = new RawClient();
  private static ProviderSim sim;
  private static OpenAIClient client;

  @BeforeAll
  static void start() {
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("openai"), ProviderConfig.anthropic("anthropic")));
    client = OpenAIOkHttpClient.builder().baseUrl(sim.baseUrl("openai")).apiKey("sk-test").maxRetries(0).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    sim.close();
  }

  @Test
  void answersOneUnitVectorOfTheModelsSizePerInputWithUsage() {
    CreateEmbeddingResponse answer = client.embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").inputOfArrayOfStrings(List.of("silk", "road of many camels")).build());

    assertThat(answer.data()).hasSize(2);
    assertThat(answer.data().get(1).index()).isEqualTo(1);
    List<Float> vector = answer.data().get(0).embedding();
    assertThat(vector).hasSize(1536);
    assertThat(norm(vector)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(answer.usage().promptTokens()).isEqualTo(1 + 5); // ceil(4/4) + ceil(19/4)
    assertThat(answer.model()).isEqualTo("text-embedding-3-small");
  }

  @Test
  void givesTheSameVectorForTheSameTextAndAnotherForAnother() {
    List<Float> first = embed("caravan", 0);
    assertThat(embed("caravan", 0)).isEqualTo(first);
    assertThat(embed("caravanserai", 0)).isNotEqualTo(first);
  }

  @Test
  void shortensToTheRequestedDimensionsAsAPrefixOfTheFullVector() {
    List<Float> full = embed("oasis", 0);
    List<Float> short64 = embed("oasis", 64);
    assertThat(short64).hasSize(64);
    double scale = norm(full.subList(0, 64));
    for (int i = 0; i < 64; i++) {
      assertThat((double) short64.get(i)).isCloseTo(full.get(i) / scale, org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void encodesBase64AsLittleEndianFloats() throws Exception {
    HttpResponse<String> response = RAW.post(sim.baseUrl("openai") + "/embeddings",
        "{\"model\":\"bge-m3\",\"input\":\"dune\",\"encoding_format\":\"base64\"}");
    assertThat(response.statusCode()).isEqualTo(200);
    byte[] bytes = Base64.getDecoder().decode(RawClient.JSON.readTree(response.body()).at("/data/0/embedding").asText());
    assertThat(bytes).hasSize(1024 * 4);
    float first = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat();
    assertThat(first).isEqualTo(client.embeddings().create(EmbeddingCreateParams.builder().model("bge-m3")
        .input("dune").build()).data().get(0).embedding().get(0));
  }

  @Test
  void countsTokenArraysByTheirLength() throws Exception {
    HttpResponse<String> response = RAW.post(sim.baseUrl("openai") + "/embeddings",
        "{\"model\":\"bge-m3\",\"input\":[[1,2,3],[4,5]]}");
    JsonNode body = RawClient.JSON.readTree(response.body());
    assertThat(body.at("/usage/prompt_tokens").asLong()).isEqualTo(5);
    assertThat(body.at("/data").size()).isEqualTo(2);
  }

  @Test
  void refusesBadInputNamingTheField() throws Exception {
    String[][] cases = {
        {"{\"input\":\"x\"}", "model"},
        {"{\"model\":\"bge-m3\"}", "input"},
        {"{\"model\":\"bge-m3\",\"input\":\"\"}", "input"},
        {"{\"model\":\"bge-m3\",\"input\":[]}", "input"},
        {"{\"model\":\"bge-m3\",\"input\":[\"a\",7]}", "input[1]"},
        {"{\"model\":\"bge-m3\",\"input\":\"a\",\"encoding_format\":\"int8\"}", "encoding_format"},
        {"{\"model\":\"bge-m3\",\"input\":\"a\",\"dimensions\":0}", "dimensions"},
        {"{\"model\":\"bge-m3\",\"input\":\"a\",\"dimensions\":4096}", "dimensions"}};
    for (String[] c : cases) {
      HttpResponse<String> response = RAW.post(sim.baseUrl("openai") + "/embeddings", c[0]);
      assertThat(response.statusCode()).as(c[0]).isEqualTo(400);
      assertThat(RawClient.JSON.readTree(response.body()).at("/error/param").asText()).as(c[0]).isEqualTo(c[1]);
    }
  }

  @Test
  void failsAsConfiguredAndOnlyForOpenAiProviders() throws Exception {
    sim.update("openai", knobs -> knobs.toBuilder().errorRate(1.0).build());
    try {
      HttpResponse<String> failed = RAW.post(sim.baseUrl("openai") + "/embeddings",
          "{\"model\":\"bge-m3\",\"input\":\"a\"}");
      assertThat(failed.statusCode()).isEqualTo(500);
    } finally {
      sim.update("openai", Knobs.defaults());
    }
    assertThat(RAW.post(sim.baseUrl("anthropic") + "/embeddings", "{\"model\":\"bge-m3\",\"input\":\"a\"}")
        .statusCode()).isEqualTo(404);
  }

  private static List<Float> embed(String text, int dimensions) {
    EmbeddingCreateParams.Builder params = EmbeddingCreateParams.builder().model("text-embedding-3-small").input(text);
    if (dimensions > 0) {
      params.dimensions(dimensions);
    }
    return client.embeddings().create(params.build()).data().get(0).embedding();
  }

  private static double norm(List<Float> vector) {
    double sum = 0;
    for (float v : vector) {
      sum += v * v;
    }
    return Math.sqrt(sum);
  }
}
