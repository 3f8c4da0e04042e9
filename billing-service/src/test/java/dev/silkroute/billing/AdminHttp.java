package dev.silkroute.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A real HTTP client for the embedded billing server, speaking the admin API. */
public final class AdminHttp {

  public static final String TOKEN = "it-admin-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;

  public AdminHttp(URI base) {
    this.base = base;
  }

  public record Reply(int status, JsonNode body, String raw) {
  }

  public Reply get(String path) {
    return send(request(path).GET(), TOKEN);
  }

  public Reply post(String path, String json) {
    return post(path, json, TOKEN);
  }

  public Reply post(String path, String json, String token) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)), token);
  }

  public Reply patch(String path, String json) {
    return send(request(path).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)), TOKEN);
  }

  /** GET with another bearer token, e.g. a customer's API key. */
  public Reply get(String path, String token) {
    return send(request(path).GET(), token);
  }

  public Reply getWithoutToken(String path) {
    return send(request(path).GET(), null);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
  }

  private Reply send(HttpRequest.Builder request, String token) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode body = null;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException e) {
        // not JSON (e.g. /prometheus): raw is still there
      }
      return new Reply(response.statusCode(), body, response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
