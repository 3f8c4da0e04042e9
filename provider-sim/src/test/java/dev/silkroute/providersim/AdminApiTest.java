package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminApiTest {

  private ProviderSim sim;
  private final RawClient http = new RawClient();

  @BeforeEach
  void start() {
    sim = ProviderSim.start(0, List.of(
        ProviderConfig.openai("deepseek").withKnobs(Knobs.builder().ttftMs(5).seed(9).build()),
        ProviderConfig.anthropic("anthropic")));
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void listsProvidersWithKnobsAndCounts() throws Exception {
    http.post(sim.baseUrl("deepseek") + "/chat/completions",
        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

    JsonNode providers = RawClient.json(http.get(sim.url() + "/_admin/providers").body()).path("providers");

    assertThat(providers).hasSize(2);
    JsonNode deepseek = providers.get(0);
    assertThat(deepseek.path("name").asText()).isEqualTo("deepseek");
    assertThat(deepseek.path("protocol").asText()).isEqualTo("openai");
    assertThat(deepseek.path("base_path").asText()).isEqualTo("/deepseek/v1");
    assertThat(deepseek.path("knobs").path("ttft_ms").asLong()).isEqualTo(5);
    assertThat(deepseek.path("request_count").asLong()).isEqualTo(1);
    assertThat(providers.get(1).path("protocol").asText()).isEqualTo("anthropic");
  }

  @Test
  void postMergesKnobsAndPutReplacesThem() throws Exception {
    String url = sim.url() + "/_admin/providers/deepseek";

    HttpResponse<String> merged = http.post(url, "{\"error_rate\": 0.25, \"api_key\": \"k\"}");
    assertThat(merged.statusCode()).isEqualTo(200);
    assertThat(sim.knobs("deepseek")).isEqualTo(
        Knobs.builder().ttftMs(5).seed(9).errorRate(0.25).apiKey("k").build());

    HttpResponse<String> replaced = http.send(url, "PUT", "{\"tokens_per_second\": 80}", Map.of(),
        Duration.ofSeconds(5));
    assertThat(replaced.statusCode()).isEqualTo(200);
    assertThat(sim.knobs("deepseek")).isEqualTo(Knobs.builder().tokensPerSecond(80).build());
  }

  @Test
  void rejectsUnknownOrOutOfRangeKnobsNamingThem() throws Exception {
    String url = sim.url() + "/_admin/providers/deepseek";

    HttpResponse<String> unknown = http.post(url, "{\"latency\": 3}");
    HttpResponse<String> outOfRange = http.post(url, "{\"error_rate\": 1.5}");
    HttpResponse<String> noSuchProvider = http.post(sim.url() + "/_admin/providers/nobody", "{}");

    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("latency");
    assertThat(outOfRange.statusCode()).isEqualTo(400);
    assertThat(RawClient.json(outOfRange.body()).path("error").path("message").asText())
        .contains("error_rate").contains("1.5");
    assertThat(noSuchProvider.statusCode()).isEqualTo(404);
    assertThat(sim.knobs("deepseek")).isEqualTo(Knobs.builder().ttftMs(5).seed(9).build());
  }

  @Test
  void healthSaysUp() throws Exception {
    HttpResponse<String> health = http.get(sim.url() + "/health");

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(RawClient.json(health.body()).path("status").asText()).isEqualTo("UP");
  }
}
