package dev.silkroute.router.provider.anthropic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.UpstreamException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Anthropic Messages over HTTP ({@code POST {baseUrl}/messages}, {@code x-api-key} and
 * {@code anthropic-version} headers). Requests are translated from OpenAI's shape and answers back
 * into it, so the router and its clients only ever see OpenAI chat objects.
 */
public final class AnthropicAdapter implements ProviderAdapter {

  private final HttpClient http;
  private final ObjectMapper json;
  private final Clock clock;
  private final AnthropicSettings settings;
  private final Duration firstByteTimeout;
  private final MessagesRequest requests;
  private final MessagesAnswer answers;

  public AnthropicAdapter(HttpClient http, ObjectMapper json, Clock clock, AnthropicSettings settings,
                          Duration firstByteTimeout) {
    this.http = http;
    this.json = json;
    this.clock = clock;
    this.settings = settings;
    this.firstByteTimeout = firstByteTimeout;
    this.requests = new MessagesRequest(json, settings.defaultMaxTokens());
    this.answers = new MessagesAnswer(json, clock);
  }

  @Override
  public Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException {
    HttpResponse<InputStream> response = send(endpoint, requests.translate(request, endpoint.upstreamModel(), false));
    try (InputStream in = response.body()) {
      JsonNode message = json.readTree(in);
      Completion completion = answers.translate(message);
      if (completion == null) {
        throw new UpstreamException(endpoint.provider(), response.statusCode(),
            "provider answered something that is not a Messages answer", String.valueOf(message), null);
      }
      return completion;
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider's answer could not be read: " + e.getMessage(), null, e);
    }
  }

  @Override
  public StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException {
    HttpResponse<InputStream> response = send(endpoint, requests.translate(request, endpoint.upstreamModel(), true));
    MessagesStream events = new MessagesStream(json, clock, sink);
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while (!cancelled.getAsBoolean() && (line = lines.readLine()) != null) {
        // The event name is repeated in the data's "type", so "event:" lines and blanks are skipped.
        if (!line.startsWith("data:")) {
          continue;
        }
        String data = line.substring(5).trim();
        JsonNode error = events.accept(parse(endpoint, response, data));
        if (error != null) {
          throw new UpstreamException(endpoint.provider(), response.statusCode(),
              "provider reported an error mid-stream: " + error.path("message").asText(), data, null);
        }
        if (events.stopped()) {
          return new StreamEnd(events.usage().tokens(), events.finishReason(), true);
        }
      }
      return new StreamEnd(events.usage().tokens(), events.finishReason(), false);
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider's stream broke: " + e.getMessage(), null, e);
    }
  }

  private JsonNode parse(Endpoint endpoint, HttpResponse<?> response, String data) throws UpstreamException {
    try {
      return json.readTree(data);
    } catch (JsonProcessingException e) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider sent an event that is not JSON", data, e);
    }
  }

  private HttpResponse<InputStream> send(Endpoint endpoint, ObjectNode body) throws UpstreamException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + "/messages"))
        .timeout(firstByteTimeout)
        .header("Content-Type", "application/json")
        .header("anthropic-version", settings.version())
        .POST(HttpRequest.BodyPublishers.ofByteArray(serialize(body)));
    endpoint.apiKey().ifPresent(key -> request.header("x-api-key", key));
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new UpstreamException(endpoint.provider(), 0, "provider could not be reached: "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamException(endpoint.provider(), 0, "interrupted while calling provider", null, e);
    }
    if (response.statusCode() / 100 != 2) {
      throw new UpstreamException(endpoint.provider(), response.statusCode(),
          "provider answered HTTP " + response.statusCode(), readQuietly(response.body()), null);
    }
    return response;
  }

  private byte[] serialize(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  /** The first 8 KiB of an error answer: enough for any provider's error object, bounded for a bad one. */
  private static String readQuietly(InputStream in) {
    try (in) {
      return new String(in.readNBytes(8192), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }
}
