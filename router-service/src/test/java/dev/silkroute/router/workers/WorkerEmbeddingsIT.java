package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.grpc.RunningRouter;
import dev.silkroute.testkit.Infra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/embeddings} for an embedding model served only by a worker pool: a whole router
 * (real Redis, Kafka) and a real worker (simulated engine, gRPC over Netty) registered in Redis.
 */
class WorkerEmbeddingsIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String BGE = "baai/bge-m3";

  @TempDir
  static Path dir;

  private static RunningRouter router;
  private static TestWorker worker;
  private static KafkaConsumer<String, byte[]> usage;

  @BeforeAll
  static void start() {
    router = RunningRouter.start(dir, """
        providers: {}
        models:
          - id: baai/bge-m3
            modalities: {input: [text], output: [embeddings]}
            dimensions: 1024
            supported_parameters: [dimensions, encoding_format]
        worker_pools:
          - {name: silkroute, model: baai/bge-m3, upstream_model: BAAI/bge-m3, price: {prompt: "0.01", completion: "0"}}
        """);
    worker = new TestWorker(router.redisPrefix(), TestWorker.profile("L40S", 8, 1_000_000), Duration.ofSeconds(5),
        List.of("BAAI/bge-m3")).start();
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, Infra.uniqueName("workerembeddingsit"));
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    usage = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    usage.subscribe(List.of(router.usageTopic()));
  }

  @AfterAll
  static void stop() {
    usage.close();
    worker.close();
    router.close();
  }

  private static HttpResponse<String> embed(String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(router.baseUrl() + "/v1/embeddings"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer " + router.key())
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anEmbeddingModelServedByAWorkerPoolAnswersWithVectorsAndOneUsageEvent() throws Exception {
    // The registry learns of the worker on its next heartbeat/resync.
    List<HttpResponse<String>> tries = new ArrayList<>();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      HttpResponse<String> response = embed("{\"model\":\"" + BGE + "\",\"input\":[\"silk\",\"road of many camels\"]}");
      tries.add(response);
      return response.statusCode() == 200;
    });
    HttpResponse<String> response = tries.get(tries.size() - 1);
    JsonNode answer = JSON.readTree(response.body());

    assertThat(answer.path("model").asText()).isEqualTo(BGE);
    assertThat(answer.path("provider").asText()).isEqualTo("silkroute");
    assertThat(answer.path("data")).hasSize(2);
    JsonNode first = answer.at("/data/0/embedding");
    assertThat(first).hasSize(1024);
    double norm = 0;
    for (JsonNode value : first) {
      norm += value.asDouble() * value.asDouble();
    }
    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
    assertThat(answer.at("/data/1/index").asInt()).isEqualTo(1);
    long tokens = answer.at("/usage/prompt_tokens").asLong();
    assertThat(tokens).isEqualTo(1 + 5); // the simulated engine: about four characters a token
    assertThat(worker.worker.dispatcher().load().running()).isZero();

    String id = answer.path("id").asText();
    assertThat(response.headers().firstValue("X-Generation-Id")).contains(id);
    List<UsageEvent> events = new ArrayList<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      for (ConsumerRecord<String, byte[]> record : usage.poll(Duration.ofMillis(200))) {
        UsageEvent event = UsageEvent.parseFrom(record.value());
        if (event.getEventId().equals(id)) {
          events.add(event);
        }
      }
      return !events.isEmpty();
    });
    // Any second event for it would have arrived with the first or soon after.
    for (ConsumerRecord<String, byte[]> record : usage.poll(Duration.ofMillis(500))) {
      UsageEvent event = UsageEvent.parseFrom(record.value());
      if (event.getEventId().equals(id)) {
        events.add(event);
      }
    }
    assertThat(events).hasSize(1);
    UsageEvent event = events.get(0);
    assertThat(event.getStatus()).isEqualTo(UsageStatus.USAGE_STATUS_OK);
    assertThat(event.getModel()).isEqualTo(BGE);
    assertThat(event.getProvider()).isEqualTo("silkroute");
    assertThat(event.getPromptTokens()).isEqualTo(tokens);
    assertThat(event.getCompletionTokens()).isZero();
  }

  @Test
  void dimensionsAndBase64ReachTheWorker() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> embed("{\"model\":\"" + BGE + "\",\"input\":\"x\"}")
        .statusCode() == 200);

    HttpResponse<String> response = embed("{\"model\":\"" + BGE + "\",\"input\":\"silk\",\"dimensions\":256,"
        + "\"encoding_format\":\"base64\"}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String encoded = JSON.readTree(response.body()).at("/data/0/embedding").asText();
    assertThat(java.util.Base64.getDecoder().decode(encoded)).hasSize(256 * Float.BYTES);
  }
}
