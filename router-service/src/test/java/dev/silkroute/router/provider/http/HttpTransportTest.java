package dev.silkroute.router.provider.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The transport against a real socket server whose every connection the test scripts byte for byte. */
class HttpTransportTest {

  private final HttpTransport transport = HttpTransport.withOwnLoops(1,
      new UpstreamHttpSettings(Duration.ofSeconds(2), Duration.ofMillis(300), 8));
  private ScriptedServer server;

  @AfterEach
  void stop() throws IOException {
    transport.close();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void reusesAKeptAliveConnection() throws Exception {
    server = new ScriptedServer((index, in, out) -> {
      while (readRequest(in)) {
        answer(out, "ok");
      }
    });

    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("ok");

    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void retriesAStalePooledConnectionOnceWhenNoByteCameBack() throws Exception {
    // The first connection serves one request, then closes on the next without a byte: as a provider
    // closing an idle connection just as our request crossed the close.
    server = new ScriptedServer((index, in, out) -> {
      if (index == 0) {
        readRequest(in);
        answer(out, "first");
        readRequest(in);
        return;
      }
      while (readRequest(in)) {
        answer(out, "fresh");
      }
    });
    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("first");

    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("fresh");
    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.requests()).isEqualTo(3);
  }

  @Test
  void retriesAStaleConnectionOnlyOnce() throws Exception {
    // Every connection after the first takes the request and closes without a byte.
    server = new ScriptedServer((index, in, out) -> {
      readRequest(in);
      if (index == 0) {
        answer(out, "first");
        readRequest(in);
      }
    });
    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("first");

    Throwable failure = failure(call());

    assertThat(failure).isInstanceOf(IOException.class);
    assertThat(server.connections()).as("the stale one and one retry").isEqualTo(2);
  }

  @Test
  void neverRetriesOnceAByteOfTheAnswerCame() throws Exception {
    server = new ScriptedServer((index, in, out) -> {
      readRequest(in);
      answer(out, "first");
      readRequest(in);
      out.write("HTTP/1.1 200 OK\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    });
    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("first");

    Throwable failure = failure(call());

    assertThat(failure).isInstanceOf(IOException.class);
    Thread.sleep(300); // a retry would connect again by now
    assertThat(server.connections()).isEqualTo(1);
    assertThat(server.requests()).isEqualTo(2);
  }

  @Test
  void neverRetriesAFreshConnection() throws Exception {
    server = new ScriptedServer((index, in, out) -> readRequest(in));

    Throwable failure = failure(call());

    assertThat(failure).isInstanceOf(IOException.class);
    Thread.sleep(300);
    assertThat(server.connections()).isEqualTo(1);
  }

  @Test
  void closesAConnectionIdleLongerThanTheIdleTimeout() throws Exception {
    List<Boolean> closedByClient = new CopyOnWriteArrayList<>();
    server = new ScriptedServer((index, in, out) -> {
      readRequest(in);
      answer(out, "ok" + index);
      closedByClient.add(!readRequest(in));
    });
    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("ok0");
    Thread.sleep(700); // past the 300 ms idle timeout, and a sweep after it

    assertThat(call().get(5, TimeUnit.SECONDS)).isEqualTo("ok1");
    assertThat(closedByClient).containsExactly(true);
  }

  @Test
  void failsWithATimeoutWhenNoAnswerStarts() throws Exception {
    server = new ScriptedServer((index, in, out) -> {
      readRequest(in);
      Thread.sleep(2_000);
    });

    Throwable failure = failure(call(Duration.ofMillis(200)));

    assertThat(failure).isInstanceOf(java.net.http.HttpTimeoutException.class);
  }

  private CompletableFuture<String> call() {
    return call(Duration.ofSeconds(5));
  }

  /** One POST through the transport: its body as text, or the transport's failure. */
  private CompletableFuture<String> call(Duration headersTimeout) {
    CompletableFuture<String> answer = new CompletableFuture<>();
    transport.send(new UpstreamRequest(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"),
        Map.of(), "{}".getBytes(StandardCharsets.UTF_8), headersTimeout), collector(answer));
    return answer;
  }

  private static ResponseListener collector(CompletableFuture<String> answer) {
    return new WholeBody(1024, (status, headers, body, length, error) -> {
      if (error != null) {
        answer.completeExceptionally(error);
      } else {
        answer.complete(new String(body, 0, length, StandardCharsets.UTF_8));
      }
    });
  }

  private static Throwable failure(CompletableFuture<String> call) throws Exception {
    try {
      call.get(5, TimeUnit.SECONDS);
      throw new AssertionError("the call succeeded");
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static void answer(OutputStream out, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.flush();
  }

  /** Reads one request (head and Content-Length body); false when the client closed the connection first. */
  private static boolean readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        return false;
      }
      head.append((char) b);
    }
    int length = Integer.parseInt(head.toString().replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
    in.readNBytes(length);
    return true;
  }

  /** What the server does with its {@code index}-th connection (from 0); the connection closes when it returns. */
  @FunctionalInterface
  interface Script {
    void run(int index, InputStream in, OutputStream out) throws Exception;
  }

  /** A real socket server; each connection runs the script on its own thread. */
  private static final class ScriptedServer implements AutoCloseable {

    private final ServerSocket socket = new ServerSocket(0);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread acceptor;

    ScriptedServer(Script script) throws IOException {
      acceptor = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            Socket connection = socket.accept();
            int index = connections.getAndIncrement();
            Thread handler = new Thread(() -> {
              try (connection) {
                connection.setSoTimeout(5_000);
                InputStream counted = new CountingRequests(connection.getInputStream(), requests);
                script.run(index, counted, connection.getOutputStream());
              } catch (Exception e) {
                // the connection ends either way
              }
            });
            handler.setDaemon(true);
            handler.start();
          } catch (IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    int requests() {
      return requests.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** Counts requests by their first byte: each request line starts with "POST". */
  private static final class CountingRequests extends java.io.FilterInputStream {

    private final AtomicInteger requests;
    private int matched;

    CountingRequests(InputStream in, AtomicInteger requests) {
      super(in);
      this.requests = requests;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      matched = b == "POST ".charAt(matched) ? matched + 1 : b == 'P' ? 1 : 0;
      if (matched == 5) {
        requests.incrementAndGet();
        matched = 0;
      }
      return b;
    }
  }
}
