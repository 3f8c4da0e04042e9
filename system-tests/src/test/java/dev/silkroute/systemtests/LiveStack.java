package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The whole stack as real processes (billing, a simulated-GPU worker and the router from their
 * runnable jars, provider-sim in process for every provider the shipped catalog names) on real
 * Kafka, Redis and PostgreSQL, plus the traffic that makes its metrics and analytics non-empty:
 * several customers over external providers and the worker, one streamed request, a 404 and a 401.
 */
final class LiveStack implements AutoCloseable {

  static final String ADMIN_TOKEN = "ops-admin-token";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> OPENAI_PROVIDERS = List.of("deepseek", "alibaba", "moonshot", "zhipu", "minimax",
      "together", "fireworks", "groq", "openai", "openrouter");

  /** A demo customer and its key. */
  record Customer(String id, String name, String key) {
  }

  private final List<AutoCloseable> parts = new ArrayList<>();
  private final List<Customer> customers = new ArrayList<>();
  ServiceProcess billing;
  ServiceProcess worker;
  ServiceProcess router;
  private int served;

  static LiveStack start(String name) throws Exception {
    LiveStack stack = new LiveStack();
    try {
      stack.startProcesses(name);
    } catch (Exception | AssertionError e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startProcesses(String name) throws Exception {
    String kafka = Infra.kafka().bootstrapServers();
    String redis = Infra.redis().uri();
    String database = Infra.postgres().newDatabase(name);
    String topic = Infra.kafka().createTopic(Infra.uniqueName(name + "-usage"), 3);
    String prefix = Infra.uniqueName(name) + ":";
    // A little time to first token so that the TTFT histograms have something to show.
    Knobs knobs = Knobs.builder().ttftMs(15).build();
    List<ProviderConfig> providers = new ArrayList<>();
    OPENAI_PROVIDERS.forEach(p -> providers.add(ProviderConfig.openai(p).withKnobs(knobs)));
    providers.add(ProviderConfig.anthropic("anthropic").withKnobs(knobs));
    ProviderSim sim = ProviderSim.start(0, providers);
    parts.add(sim);

    billing = ServiceProcess.start(name + "-billing", privateCopy("silkroute.billing.jar"),
        ServiceProcess.freePort(), Map.of(
            "datasources.default.url", database,
            "datasources.default.username", Infra.postgres().username(),
            "datasources.default.password", Infra.postgres().password(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.usage.topic", topic,
            "silkroute.usage.dlq-topic", topic + ".dlq",
            "silkroute.usage.group-id", Infra.uniqueName(name + "-billing"),
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", prefix),
        Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN));
    parts.add(billing);
    int workerGrpc = ServiceProcess.freePort();
    worker = ServiceProcess.start(name + "-worker", privateCopy("silkroute.worker.jar"),
        ServiceProcess.freePort(), Map.of(
            "silkroute.redis.uri", redis,
            "silkroute.worker.grpc-port", String.valueOf(workerGrpc),
            "silkroute.worker.id", "worker-" + workerGrpc,
            "silkroute.worker.advertised-address", "127.0.0.1:" + workerGrpc,
            "silkroute.worker.heartbeat.key-prefix", prefix),
        Map.of());
    parts.add(worker);
    router = ServiceProcess.start(name + "-router", privateCopy("silkroute.router.jar"),
        ServiceProcess.freePort(), Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.spool-file", Path.of("target", name + "-router.spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", kafka,
            "silkroute.kafka.usage-topic", topic,
            "silkroute.redis.uri", redis,
            "silkroute.redis.key-prefix", prefix),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()));
    parts.add(router);
  }

  /**
   * A copy of a service jar for this run: a build of that module while the test runs (other
   * modules' builds on a shared machine, or an IDE) must not swap classes under a running JVM.
   */
  static Path privateCopy(String property) throws IOException {
    Path jar = Path.of(System.getProperty(property));
    if (!Files.isRegularFile(jar)) {
      return jar; // ServiceProcess says what is missing
    }
    Path copy = Path.of("target", "jars", jar.getFileName().toString()).toAbsolutePath();
    Files.createDirectories(copy.getParent());
    Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
    return copy;
  }

  /** Creates customers with credit and serves requests for each over several models and providers. */
  void serveTraffic() throws Exception {
    for (String name : List.of("Acme Robotics", "Globex", "Initech")) {
      JsonNode created = admin("POST", "/admin/customers", "{\"name\":\"" + name + "\"}");
      String id = created.get("id").asText();
      String key = admin("POST", "/admin/customers/" + id + "/keys", "{\"label\":\"ops\"}").get("key").asText();
      admin("POST", "/admin/customers/" + id + "/credits", "{\"amount_micros\":20000000,\"note\":\"ops test\"}");
      customers.add(new Customer(id, name, key));
    }
    awaitWorkerKnownToRouter();
    List<String> models = List.of("deepseek/deepseek-chat-v3", "z-ai/glm-4.5", "moonshotai/kimi-k2",
        "openai/gpt-4o-mini", "anthropic/claude-3.5-haiku");
    for (int c = 0; c < customers.size(); c++) {
      String key = customers.get(c).key();
      // Customers differ in how much they use, so their spend differs.
      for (int i = 0; i <= c + 1; i++) {
        for (String model : models) {
          expect(chat(key, body(model, false, "")), 200);
        }
      }
      // Self-hosted: only the worker pool may serve this one.
      expect(chat(key, body("qwen/qwen3-32b", false, ",\"provider\":{\"only\":[\"silkroute\"]}")), 200);
      expect(chat(key, body("deepseek/deepseek-chat-v3", true, "")), 200);
    }
    expect(chat(customers.get(0).key(), body("nobody/no-such-model", false, "")), 404);
    expect(chat("sk-sr-v1-" + "0".repeat(64), body("deepseek/deepseek-chat-v3", false, "")), 401);
    awaitLedgerCaughtUp();
  }

  List<Customer> customers() {
    return customers;
  }

  private void awaitWorkerKnownToRouter() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
        assertThat(get(router.uri("/v1/providers/health")).get("workers")).isNotEmpty());
  }

  /** Waits until billing has a ledger row for every request served. */
  private void awaitLedgerCaughtUp() {
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
      long requests = 0;
      for (Customer customer : customers) {
        requests += admin("GET", "/admin/customers/" + customer.id(), null).get("requests").asLong();
      }
      assertThat(requests).isEqualTo(served);
    });
  }

  private static String body(String model, boolean stream, String extra) {
    return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Which goods travelled west?\"}]"
        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + extra + "}";
  }

  private void expect(HttpResponse<String> response, int status) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    if (status == 200) {
      served++;
    }
  }

  HttpResponse<String> chat(String key, String body) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode admin(String method, String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(billing.uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  static JsonNode get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + uri + ": " + response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** Every service's /prometheus text, concatenated. */
  String scrapeAll() throws IOException, InterruptedException {
    StringBuilder all = new StringBuilder();
    for (ServiceProcess service : Stream.of(router, billing, worker).toList()) {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(service.uri("/prometheus"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      all.append(response.body()).append('\n');
    }
    return all.toString();
  }

  @Override
  public void close() throws Exception {
    for (int i = parts.size() - 1; i >= 0; i--) {
      parts.get(i).close();
    }
  }
}
