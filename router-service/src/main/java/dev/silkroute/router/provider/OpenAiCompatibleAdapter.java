package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.chat.ChatRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * OpenAI Chat Completions over HTTP: OpenAI itself and every provider with an OpenAI-compatible API
 * (DeepSeek, DashScope, Moonshot, Zhipu, vLLM, ...). The client's body is forwarded as sent, with the
 * upstream's model name and without the router-only fields.
 */
public final class OpenAiCompatibleAdapter implements ProviderAdapter {

  /** OpenRouter request fields that steer the router and mean nothing to a provider. */
  private static final List<String> ROUTER_FIELDS = List.of("models", "provider", "route", "transforms",
      "usage", "session_id");

  private final HttpClient http;
  private final ObjectMapper json;
  private final Duration firstByteTimeout;

  public OpenAiCompatibleAdapter(HttpClient http, ObjectMapper json, Duration firstByteTimeout) {
    this.http = http;
    this.json = json;
    this.firstByteTimeout = firstByteTimeout;
  }

  @Override
  public Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException {
    ObjectNode body = upstreamBody(endpoint, request);
    body.put("stream", false);
    HttpResponse<InputStream> response = send(endpoint, body);
    try (InputStream in = response.body()) {
      JsonNode answer = json.readTree(in);
      if (answer == null || !answer.isObject() || !answer.path("choices").isArray()) {
        throw new UpstreamException(endpoint.provider(), response.statusCode(),
            "provider answered something that is not a chat completion", String.valueOf(answer), null);
      }
      String finish = answer.path("choices").path(0).path("finish_reason").asText(null);
      return new Completion((ObjectNode) answer, TokenUsage.fromOpenAi(answer.get("usage")), finish);
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider's answer could not be read: " + e.getMessage(), null, e);
    }
  }

  @Override
  public StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException {
    ObjectNode body = upstreamBody(endpoint, request);
    body.put("stream", true);
    // Always ask for the usage chunk: without it a streamed request cannot be billed exactly.
    body.putObject("stream_options").put("include_usage", true);
    HttpResponse<InputStream> response = send(endpoint, body);
    TokenUsage usage = TokenUsage.NONE;
    String finishReason = null;
    // A chunk is passed on once the next line is read, or as soon as reading on would wait for the
    // network: a burst that arrived together leaves together (see ChunkSink#chunk(ObjectNode, boolean)).
    ObjectNode held = null;
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while (!cancelled.getAsBoolean()) {
        if (held != null && !lines.ready()) {
          sink.chunk(held, false);
          held = null;
        }
        if ((line = lines.readLine()) == null) {
          break;
        }
        if (!line.startsWith("data:")) {
          continue; // blank separators, ": keep-alive" comments, event names
        }
        String data = line.substring(5).trim();
        if (data.equals("[DONE]")) {
          passOn(sink, held);
          return new StreamEnd(usage, finishReason, true);
        }
        JsonNode chunk = json.readTree(data);
        if (chunk.hasNonNull("error")) {
          passOn(sink, held);
          throw new UpstreamException(endpoint.provider(), response.statusCode(),
              "provider reported an error mid-stream", data, null);
        }
        if (chunk.hasNonNull("usage")) {
          usage = TokenUsage.fromOpenAi(chunk.get("usage"));
        }
        JsonNode choices = chunk.path("choices");
        if (choices.isArray() && !choices.isEmpty()) {
          JsonNode finish = choices.path(0).path("finish_reason");
          if (finish.isTextual()) {
            finishReason = finish.asText();
          }
          passOn(sink, held);
          held = (ObjectNode) chunk;
        }
      }
      passOn(sink, held);
      return new StreamEnd(usage, finishReason, false);
    } catch (IOException e) {
      passOn(sink, held);
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider's stream broke: " + e.getMessage(), null, e);
    }
  }

  /** A held chunk, with more to follow: the stream's end, or what the caller sends after it. */
  private static void passOn(ChunkSink sink, ObjectNode held) {
    if (held != null) {
      sink.chunk(held, true);
    }
  }

  private ObjectNode upstreamBody(Endpoint endpoint, ChatRequest request) {
    ObjectNode body = request.body().deepCopy();
    ROUTER_FIELDS.forEach(body::remove);
    body.put("model", endpoint.upstreamModel());
    return body;
  }

  private HttpResponse<InputStream> send(Endpoint endpoint, ObjectNode body) throws UpstreamException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/chat/completions"))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    endpoint.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), 0,
          "provider could not be reached: " + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : " " + e.getMessage()), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(endpoint.provider(), 0, "interrupted while calling provider", null, e);
    }
    if (response.statusCode() / 100 != 2) {
      String errorBody = readQuietly(response.body());
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider answered HTTP " + response.statusCode(), errorBody, null,
          response.headers().firstValue("Retry-After").flatMap(OpenAiCompatibleAdapter::seconds).orElse(null));
    }
    return response;
  }

  /** Retry-After in its delta-seconds form; the HTTP-date form is rare for APIs and read as absent. */
  private static java.util.Optional<Duration> seconds(String retryAfter) {
    try {
      return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(retryAfter.trim()))));
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  private byte[] serialize(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static String readQuietly(InputStream in) {
    try (in) {
      byte[] bytes = in.readNBytes(8192);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
