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
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Several replicas of each service as real processes on one Kafka topic, one Redis prefix and one
 * PostgreSQL database: two routers, billing instances in one consumer group, two simulated-GPU
 * workers with different GPU profiles, provider-sim in process for the external providers.
 */
final class ReplicaStack implements AutoCloseable {

  static final String ADMIN_TOKEN = "replicas-admin-token";
  /** Seven JVMs on a shared two-core machine: a service may take minutes to start. */
  private static final Duration STARTUP = Duration.ofSeconds(240);
  static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * What a client was told: the HTTP status, and for a 200 the generation id and its cost in micro-USD;
   * for an error its message, its OpenAI {@code type} and {@code code}, and the Retry-After header.
   */
  record Answer(int status, String id, long costMicros, String error, String type, String code, String retryAfter) {
    Answer(int status, String id, long costMicros) {
      this(status, id, costMicros, null, null, null, null);
    }

    boolean paid() {
      return status == 200 && id != null && costMicros >= 0;
    }
  }

  final ProviderSim sim;
  final String topic;
  final String prefix;
  final String database;
  final String groupId;
  final Path work;
  final Map<String, ServiceProcess> routers = new ConcurrentHashMap<>();
  final Map<String, ServiceProcess> billings = new ConcurrentHashMap<>();
  final Map<String, ServiceProcess> workers = new ConcurrentHashMap<>();
  final Map<String, Integer> workerGrpcPorts = new ConcurrentHashMap<>();

  private ReplicaStack() throws IOException {
    work = Files.createDirectories(Path.of("target", "replicas").toAbsolutePath());
    topic = Infra.kafka().createTopic(Infra.uniqueName("replicas-usage"), 6);
    prefix = Infra.uniqueName("replicas") + ":";
    database = Infra.postgres().newDatabase("replicas");
    groupId = Infra.uniqueName("replicas-billing");
    Knobs quick = Knobs.builder().ttftMs(5).build();
    sim = ProviderSim.start(0, List.of("alibaba", "together", "groq", "deepseek", "fireworks").stream()
        .map(p -> ProviderConfig.openai(p).withKnobs(quick)).toList());
  }

  /** Two billing instances, two workers (H100 and A100, {@code workerSlots} requests each), two routers. */
  static ReplicaStack start(int workerSlots) throws Exception {
    ReplicaStack stack = new ReplicaStack();
    try {
      // One at a time: JVMs starting together on a small machine each take longer than all in a row.
      stack.startBilling("billing-1");
      stack.startBilling("billing-2");
      stack.startWorker("worker-1", "H100", workerSlots);
      stack.startWorker("worker-2", "A100", workerSlots);
      stack.startRouter("router-a");
      stack.startRouter("router-b");
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  ServiceProcess startBilling(String name) throws Exception {
    Map<String, String> properties = new HashMap<>(Map.of(
        "datasources.default.url", database,
        "datasources.default.username", Infra.postgres().username(),
        "datasources.default.password", Infra.postgres().password(),
        "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
        "silkroute.usage.topic", topic,
        "silkroute.usage.dlq-topic", topic + ".dlq",
        "silkroute.usage.group-id", groupId,
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", prefix));
    ServiceProcess billing = ServiceProcess.start("replicas-" + name,
        LiveStack.privateCopy("silkroute.billing.jar"), ServiceProcess.freePort(), properties,
        Map.of("SILKROUTE_ADMIN_TOKEN", ADMIN_TOKEN), STARTUP);
    billings.put(name, billing);
    return billing;
  }

  private void startWorker(String name, String gpu, int slots) throws Exception {
    int grpc = ServiceProcess.freePort();
    workers.put(name, ServiceProcess.start("replicas-" + name, LiveStack.privateCopy("silkroute.worker.jar"),
        ServiceProcess.freePort(), Map.of(
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.worker.grpc-port", String.valueOf(grpc),
            "silkroute.worker.id", name,
            "silkroute.worker.advertised-address", "127.0.0.1:" + grpc,
            "silkroute.worker.gpu-type", gpu,
            "silkroute.worker.max-running", String.valueOf(slots),
            "silkroute.worker.max-queued", "0",
            "silkroute.worker.heartbeat.key-prefix", prefix),
        Map.of(), STARTUP));
    workerGrpcPorts.put(name, grpc);
  }

  /** Starts (or starts again, on the same spool and journal) the router called {@code name}. */
  ServiceProcess startRouter(String name) throws Exception {
    ServiceProcess router = ServiceProcess.start("replicas-" + name + "-" + System.nanoTime() % 1000,
        LiveStack.privateCopy("silkroute.router.jar"), ServiceProcess.freePort(), Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog"),
            "silkroute.router.instance", name,
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", work.resolve(prefix.replace(':', '-') + name + ".spool").toString(),
            "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
            "silkroute.kafka.usage-topic", topic,
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.redis.key-prefix", prefix,
            // These scenarios are about capacity and money, not latency: on a starved shared machine a
            // worker's first token can take seconds, which the adaptive timeout (floor 1 s) would cut.
            "silkroute.routing.first-byte-floor", "15s"),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()), STARTUP);
    routers.put(name, router);
    return router;
  }

  BillingAdmin admin() {
    return new BillingAdmin(billings.values().iterator().next(), ADMIN_TOKEN);
  }

  /** Waits until every router sees both workers in its registry. */
  void awaitWorkersKnown() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
      for (ServiceProcess router : routers.values()) {
        assertThat(LiveStack.get(router.uri("/v1/providers/health")).get("workers")).hasSize(workers.size());
      }
    });
  }

  /** A request body; {@code onlyWorkers} pins it to the self-hosted pool. */
  static String body(String model, int maxTokens, boolean stream, boolean onlyWorkers) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Which goods travelled west?\"}]"
        + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "")
        + (onlyWorkers ? ",\"provider\":{\"only\":[\"silkroute\"]}" : "") + "}";
  }

  /**
   * Sends a chat request and reads what the client was told. A connection that breaks (the router
   * died) is status 0: no answer. A stream counts as answered with a cost only when its usage
   * chunk arrived.
   */
  static Answer chat(ServiceProcess router, String key, String body) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions"))
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        JsonNode error = JSON.readTree(response.body()).path("error");
        return new Answer(response.statusCode(), null, -1, error.path("message").asText(response.body()),
            error.path("type").asText(null), error.path("code").asText(null),
            response.headers().firstValue("Retry-After").orElse(null));
      }
      String text = response.body();
      if (!text.startsWith("{")) {
        return fromStream(text);
      }
      JsonNode json = JSON.readTree(text);
      return new Answer(200, json.path("id").asText(null), micros(json.path("usage").path("cost")));
    } catch (IOException e) {
      return new Answer(0, null, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, null, -1);
    }
  }

  private static Answer fromStream(String text) throws IOException {
    String id = null;
    long cost = -1;
    boolean done = false;
    for (String line : text.split("\n")) {
      if (line.equals("data: [DONE]")) {
        done = true;
      } else if (line.startsWith("data: ")) {
        JsonNode chunk = JSON.readTree(line.substring(6));
        id = chunk.path("id").asText(id);
        if (chunk.has("error")) {
          return new Answer(200, null, -1); // failed mid-stream: not an answer with a cost
        }
        if (chunk.path("usage").has("cost")) {
          cost = micros(chunk.path("usage").path("cost"));
        }
      }
    }
    return done ? new Answer(200, id, cost) : new Answer(200, null, -1);
  }

  private static long micros(JsonNode usd) {
    return usd.isMissingNode() || usd.isNull() ? -1 : new BigDecimal(usd.asText()).movePointRight(6).longValueExact();
  }

  /** One router's Prometheus text. */
  static String scrape(ServiceProcess service) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(service.uri("/prometheus")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The sum of every sample of {@code metric} (any labels) in a Prometheus text; 0 when absent. */
  static double sum(String prometheusText, String metric) {
    double total = 0;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  static URI uri(ServiceProcess service, String path) {
    return service.uri(path);
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>();
    all.addAll(routers.values());
    all.addAll(workers.values());
    all.addAll(billings.values());
    all.add(sim);
    for (AutoCloseable part : all) {
      try {
        part.close();
      } catch (Exception e) {
        System.err.println("[replicas] could not stop " + part + ": " + e);
      }
    }
  }
}
