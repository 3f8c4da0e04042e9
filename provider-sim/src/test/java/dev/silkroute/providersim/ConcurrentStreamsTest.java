package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConcurrentStreamsTest {

  @Test
  void servesHundredsOfPacedStreamsAtOnce() throws Exception {
    int streams = 300;
    // Each stream takes ~1 s (20 tokens at 20/s); served one at a time they would take 5 minutes.
    Knobs paced = Knobs.builder().tokensPerSecond(20).completionTokens(20).build();
    try (ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("together").withKnobs(paced)))) {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl("together") + "/chat/completions"))
          .timeout(Duration.ofSeconds(60))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
          .build();
      long start = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      assertThat(responses).allSatisfy(r -> {
        assertThat(r.join().statusCode()).isEqualTo(200);
        assertThat(r.join().body()).endsWith("data: [DONE]\n\n");
      });
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(sim.requestCount("together")).isEqualTo(streams);
    }
  }
}
