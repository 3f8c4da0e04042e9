package dev.silkroute.router.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.provider.http.HttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleAdapterContractTest extends HttpDialectContract {

  private static final String HELLO = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n";

  @Override
  protected ProviderConfig provider(String name) {
    return ProviderConfig.openai(name);
  }

  @Override
  protected Endpoint.Protocol protocol() {
    return Endpoint.Protocol.OPENAI;
  }

  @Override
  protected ProviderAdapter newAdapter(HttpTransport transport, ObjectMapper json, Duration firstByteTimeout) {
    return new OpenAiCompatibleAdapter(transport, json, firstByteTimeout);
  }

  @Test
  void passesOnTheRetryAfterOfA429BeforeTheStream() {
    sim.update(PROVIDER, Knobs.builder().rateLimitRate(1.0).retryAfterSeconds(7).build());

    UpstreamException e = asyncFailure(adapter.streamAsync(endpoint(), chat(), c -> { }, new Cancellation()));

    assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(7));
    assertThat(e.getMessage()).isEqualTo("provider answered HTTP 429");
  }

  @Test
  void failsOnAnErrorTheProviderSendsMidStream() throws Exception {
    try (ScriptedUpstream upstream = new ScriptedUpstream()) {
      List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
      CompletableFuture<StreamEnd> end = adapter.streamAsync(upstream.endpoint(), chat(), chunks::add,
          new Cancellation());
      upstream.answer(HELLO + "data: {\"error\":{\"message\":\"overloaded\",\"code\":529}}\n\n");

      UpstreamException e = asyncFailure(end);

      assertThat(e.getMessage()).isEqualTo("provider reported an error mid-stream");
      assertThat(e.upstreamBody()).contains("overloaded");
      assertThat(e.status()).isEqualTo(200);
      assertThat(chunks).hasSize(1);
      assertThat(upstream.closedByClient()).as("connection closed").isTrue();
    }
  }

  @Test
  void closesTheUpstreamConnectionOnCancel() throws Exception {
    try (ScriptedUpstream upstream = new ScriptedUpstream()) {
      List<ObjectNode> chunks = new CopyOnWriteArrayList<>();
      Cancellation cancellation = new Cancellation();
      CompletableFuture<StreamEnd> end = adapter.streamAsync(upstream.endpoint(), chat(), chunks::add, cancellation);
      upstream.answer(HELLO);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> chunks.size() == 1);

      cancellation.cancel();

      assertThat(end.get(1, TimeUnit.SECONDS).complete()).isFalse();
      assertThat(upstream.closedByClient()).as("connection closed").isTrue();
    }
  }

  private static dev.silkroute.router.core.ChatRequest chat() {
    return request("{\"model\": \"test/model\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
  }

  /** One connection's worth of a provider whose answer the test writes byte for byte. */
  private static final class ScriptedUpstream implements AutoCloseable {

    private final ServerSocket server = new ServerSocket(0);
    private Socket connection;

    ScriptedUpstream() throws IOException {
      server.setSoTimeout(5_000);
    }

    Endpoint endpoint() {
      return new Endpoint(PROVIDER + "/test/model", PROVIDER, Endpoint.Protocol.OPENAI,
          URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1"), "upstream-model", Optional.empty(),
          new dev.silkroute.router.catalog.Pricing(1, 1), new dev.silkroute.router.catalog.Pricing(1, 1));
    }

    /** Reads the request, then answers 200 with {@code events} as one chunk of an open-ended body. */
    void answer(String events) throws IOException {
      connection = server.accept();
      connection.setSoTimeout(5_000);
      InputStream in = connection.getInputStream();
      String head = readHead(in);
      int length = Integer.parseInt(head.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
      in.readNBytes(length);
      byte[] body = events.getBytes(StandardCharsets.UTF_8);
      OutputStream out = connection.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    /** Whether the client closed the connection (within the socket's timeout). */
    boolean closedByClient() {
      try {
        return connection.getInputStream().read() == -1;
      } catch (java.net.SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset
      }
    }

    private static String readHead(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed before the request's head ended");
        }
        head.append((char) b);
      }
      return head.toString();
    }

    @Override
    public void close() throws IOException {
      if (connection != null) {
        connection.close();
      }
      server.close();
    }
  }
}
