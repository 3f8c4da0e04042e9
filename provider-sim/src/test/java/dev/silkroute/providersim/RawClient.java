package dev.silkroute.providersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A plain JDK HTTP client for the shapes the OpenAI SDK does not cover (Anthropic, faults, admin). */
final class RawClient {

  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  HttpResponse<String> post(String url, String body, Map<String, String> headers) throws Exception {
    return send(url, "POST", body, headers, Duration.ofSeconds(30));
  }

  HttpResponse<String> post(String url, String body) throws Exception {
    return post(url, body, Map.of());
  }

  HttpResponse<String> send(String url, String method, String body, Map<String, String> headers,
      Duration timeout) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(timeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json");
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String url) throws Exception {
    return send(url, "GET", null, Map.of(), Duration.ofSeconds(10));
  }

  /** Reads an SSE body line by line; a dropped connection shows up as {@link Stream#failure}. */
  Stream stream(String url, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<java.util.stream.Stream<String>> response =
        http.send(request, HttpResponse.BodyHandlers.ofLines());
    List<String> lines = new ArrayList<>();
    IOException failure = null;
    try {
      response.body().forEach(lines::add);
    } catch (java.io.UncheckedIOException e) {
      failure = e.getCause();
    }
    return new Stream(response.statusCode(), lines, failure);
  }

  /**
   * Sends one request over a plain socket and returns every byte until the server closes. Unlike the
   * JDK client, which may report a dropped connection before handing over the data that preceded it,
   * this shows exactly what was on the wire.
   */
  static String rawPost(String url, String body) throws IOException {
    URI uri = URI.create(url);
    byte[] payload = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      String head = "POST " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n";
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(payload);
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  static JsonNode json(String body) throws IOException {
    return JSON.readTree(body);
  }

  record Stream(int status, List<String> lines, IOException failure) {

    /** The JSON of every {@code data:} line except {@code [DONE]}. */
    List<JsonNode> data() throws IOException {
      List<JsonNode> data = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
          data.add(JSON.readTree(line.substring(6)));
        }
      }
      return data;
    }

    List<String> events() {
      return lines.stream().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7)).toList();
    }

    boolean done() {
      return lines.contains("data: [DONE]");
    }
  }
}
