package dev.silkroute.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerMessage;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.heartbeat.WorkerStatusJson;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The packaged application: Micronaut context, gRPC over a real Netty socket, heartbeat in real Redis, HTTP edges. */
class WorkerApplicationIT {
  private final String prefix = Infra.uniqueName("silkroute-test:worker-app:");
  private final String workerId = Infra.uniqueName("worker-it");
  private final WorkerKeys keys = new WorkerKeys(prefix);
  private final WorkerStatusJson json = new WorkerStatusJson(new ObjectMapper());
  private final HttpClient http = HttpClient.newHttpClient();
  private EmbeddedServer server;
  private ManagedChannel channel;
  private RedisClient redisClient;
  private RedisCommands<String, String> redis;
  private int grpcPort;

  @BeforeEach
  void start() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      grpcPort = socket.getLocalPort();
    }
    server = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "micronaut.server.port", -1,
        "silkroute.worker.enabled", "true", // as WorkerApplication.main sets it
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.worker.id", workerId,
        "silkroute.worker.grpc-port", grpcPort,
        "silkroute.worker.advertised-address", "127.0.0.1:" + grpcPort,
        "silkroute.worker.heartbeat.key-prefix", prefix,
        "silkroute.worker.gpu-type", "L40S",
        "silkroute.worker.simulated.decode-tokens-per-second", 2000,
        "silkroute.worker.drain-timeout", "5s"));
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    redisClient = RedisClient.create(Infra.redis().uri());
    redis = redisClient.connect().sync();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    if (server.getApplicationContext().isRunning()) {
      server.getApplicationContext().close();
    }
    redis.del(keys.worker(workerId), keys.workers());
    redisClient.shutdown();
  }

  @Test
  void generatesOverGrpcAndRegistersInRedis() {
    List<GenerateChunk> chunks = new ArrayList<>();
    WorkerGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder().setRequestId("gen-it")
        .setModel("deepseek/deepseek-chat-v3").addMessages(WorkerMessage.newBuilder().setRole("user").setContent("hi"))
        .setMaxTokens(8).build()).forEachRemaining(chunks::add);

    assertThat(chunks).hasSize(9);
    assertThat(chunks.get(8).getFinishReason()).isEqualTo("length");
    assertThat(chunks.get(8).getUsage().getCostMicros()).isNotNegative();

    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker(workerId)) != null);
    WorkerStatus beat = json.read(redis.get(keys.worker(workerId)));
    assertThat(beat.getAddress()).isEqualTo("127.0.0.1:" + grpcPort);
    assertThat(beat.getGpuType()).isEqualTo("L40S");
    assertThat(beat.getPricePerGpuHourMicros()).isEqualTo(900_000);
    assertThat(beat.getModelsList()).containsExactly("deepseek/deepseek-chat-v3", "qwen/qwen3-32b");
    assertThat(beat.getMaxRunning()).isEqualTo(32);
    assertThat(redis.sismember(keys.workers(), workerId)).isTrue();
    assertThat(redis.pttl(keys.worker(workerId))).isBetween(1L, 5_000L);
  }

  @Test
  void servesHealthAndPrometheus() throws Exception {
    WorkerGrpc.newBlockingStub(channel).generate(GenerateRequest.newBuilder().setModel("qwen/qwen3-32b")
        .addMessages(WorkerMessage.newBuilder().setRole("user").setContent("hi")).setMaxTokens(4).build())
        .forEachRemaining(c -> {});

    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"UP\"");

    HttpResponse<String> prometheus = get("/prometheus");
    assertThat(prometheus.statusCode()).isEqualTo(200);
    assertThat(prometheus.body())
        .contains("silkroute_worker_running")
        .contains("silkroute_worker_queued")
        .contains("silkroute_worker_tokens_generated_total{model=\"qwen/qwen3-32b\"} 4.0")
        .contains("silkroute_worker_ttft_seconds_bucket");
  }

  @Test
  void healthIsDownWhileDrainingAndTheHeartbeatSaysSo() throws Exception {
    server.getApplicationContext().getBean(Worker.class).dispatcher().drain();

    HttpResponse<String> health = get("/health");
    assertThat(health.statusCode()).isEqualTo(503);
    assertThat(health.body()).contains("\"DOWN\"").contains("\"draining\":true");
    await().atMost(Duration.ofSeconds(3)).until(() -> {
      String beat = redis.get(keys.worker(workerId));
      return beat != null && json.read(beat).getDraining();
    });
  }

  @Test
  void closingTheApplicationDrainsAndDeregisters() {
    await().atMost(Duration.ofSeconds(3)).until(() -> redis.get(keys.worker(workerId)) != null);

    server.getApplicationContext().close();

    assertThat(redis.get(keys.worker(workerId))).isNull();
    assertThat(redis.sismember(keys.workers(), workerId)).isFalse();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
