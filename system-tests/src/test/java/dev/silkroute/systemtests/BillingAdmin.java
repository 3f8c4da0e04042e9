package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Billing's admin API as the end-to-end tests call it: JSON in, JSON out, Bearer admin token. */
final class BillingAdmin {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final ServiceProcess billing;
  private final String token;

  BillingAdmin(ServiceProcess billing, String token) {
    this.billing = billing;
    this.token = token;
  }

  /** Calls the API and insists on a 2xx answer, naming the call and the body when it is not. */
  JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = send(method, path, body);
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(billing.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A new customer with one key and {@code creditMicros} of credit; returns {customer id, key}. */
  String[] customerWithKey(String name, long creditMicros) throws IOException, InterruptedException {
    String customer = call("POST", "/admin/customers", "{\"name\":\"" + name + "\"}").get("id").asText();
    String key = call("POST", "/admin/customers/" + customer + "/keys", "{}").get("key").asText();
    call("POST", "/admin/customers/" + customer + "/credits", "{\"amount_micros\":" + creditMicros + "}");
    return new String[] {customer, key};
  }

  /** A minimal chat request to the router's HTTP API. */
  static HttpResponse<String> chat(int routerPort, String key, String model, int maxTokens, String prompt)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + routerPort + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
  }
}
