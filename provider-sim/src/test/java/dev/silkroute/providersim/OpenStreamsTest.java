package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenStreamsTest {

  private static final String STREAMED = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\","
      + "\"content\":\"a long story\"}]}";

  @Test
  void countsAStreamUntilItsClientHangsUp() throws Exception {
    // 200 tokens at 20/s: 10 s, far longer than the hang-up takes to be noticed.
    Knobs slow = Knobs.builder().tokensPerSecond(20).completionTokens(200).build();
    try (ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("together").withKnobs(slow)))) {
      URI uri = URI.create(sim.baseUrl("together") + "/chat/completions");
      try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
        byte[] body = STREAMED.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(("POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().write(body);
        BufferedReader lines = new BufferedReader(new InputStreamReader(socket.getInputStream(),
            StandardCharsets.UTF_8));
        String line = lines.readLine();
        while (!line.startsWith("data: {")) {
          line = lines.readLine();
        }

        assertThat(sim.openStreams("together")).isEqualTo(1);
      }

      await().atMost(Duration.ofSeconds(3)).until(() -> sim.openStreams("together") == 0);
    }
  }

  @Test
  void stopsCountingAStreamThatFinished() throws Exception {
    try (ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("together")))) {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(sim.baseUrl("together") + "/chat/completions"))
          .POST(HttpRequest.BodyPublishers.ofString(STREAMED)).build(), HttpResponse.BodyHandlers.ofString());

      assertThat(answer.body()).endsWith("data: [DONE]\n\n");
      await().atMost(Duration.ofSeconds(3)).until(() -> sim.openStreams("together") == 0);
    }
  }
}
