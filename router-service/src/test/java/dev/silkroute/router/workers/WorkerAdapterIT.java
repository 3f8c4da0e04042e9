package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.provider.Waiting;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.engine.GpuProfile;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link WorkerAdapter} against a real worker over Netty, with charges and registry in real Redis. */
class WorkerAdapterIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Model MODEL = new Model(TestWorker.MODEL, "Qwen3 32B", 32_768, List.of());

  private final String prefix = Infra.uniqueName("silkroute-test:adapter:");
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private WorkerRegistry registry;
  private InflightCharges charges;
  private WorkerEndpoints endpoints;
  private WorkerAdapter adapter;
  private TestWorker worker;
  /** One thread per concurrent call: the common pool may have a single thread on a 2-core box. */
  private final java.util.concurrent.ExecutorService calls = java.util.concurrent.Executors.newCachedThreadPool();

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    registry = new WorkerRegistry(redis, new WorkerKeys(prefix), new WorkerReports(), Duration.ofMillis(250),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
    charges = new InflightCharges(connection, new WorkerKeys(prefix), Duration.ofMinutes(1), Clock.systemUTC());
    endpoints = new WorkerEndpoints(registry, charges, new WorkerPricing(20, 1_000, 10), model -> Optional.empty(),
        Duration.ofSeconds(30), Math::random);
    adapter = new WorkerAdapter(registry::worker, charges, JSON, Duration.ofSeconds(5), Duration.ofSeconds(30),
        Clock.systemUTC());
    // $3600 per GPU-hour = 1 micro-USD per GPU-microsecond: a short generation still costs something.
    worker = new TestWorker(prefix, TestWorker.profile("H100", 8, 3_600_000_000L), Duration.ofSeconds(5)).start();
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.worker(worker.id).isPresent());
  }

  @AfterEach
  void stop() {
    calls.shutdownNow();
    worker.close();
    registry.close();
    connection.close();
    redis.shutdown();
  }

  /** Half a token per second per sequence: 16 tokens, the shortest natural answer, take over 30 s. */
  private static GpuProfile slowProfile() {
    return new GpuProfile("H100", 100_000, 0.5, 0.01, 8, 1_000_000, 3_600_000_000L);
  }

  private Endpoint endpoint() {
    List<Endpoint> live = endpoints.endpoints(MODEL);
    assertThat(live).hasSize(1);
    return live.get(0);
  }

  private static ChatRequest request(String extra) {
    String body = "{\"model\":\"" + TestWorker.MODEL + "\",\"stream\":true,\"seed\":11," + extra
        + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
        + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"tell me about silk\"}]}]}";
    return new ChatRequestParser(JSON).parse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void streamsOpenAiChunksThenUsageWithTheWorkersMeasuredCost() throws UpstreamException {
    Endpoint endpoint = endpoint();
    List<ObjectNode> chunks = new ArrayList<>();

    StreamEnd end = Waiting.stream(adapter, endpoint, request("\"max_tokens\":500,"), chunks::add, () -> false);

    assertThat(endpoint.id()).isEqualTo("self-hosted/" + worker.id + "/" + TestWorker.MODEL);
    assertThat(endpoint.protocol()).isEqualTo(Endpoint.Protocol.WORKER);
    assertThat(end.complete()).isTrue();
    assertThat(end.finishReason()).isEqualTo("stop");
    assertThat(chunks.get(0).get("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(chunks.get(0).at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunks.get(chunks.size() - 1).at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    long textChunks = chunks.stream().filter(c -> c.at("/choices/0/delta").has("content")).count();
    assertThat(end.usage().completionTokens()).isEqualTo(textChunks).isBetween(16L, 256L);
    assertThat(end.usage().promptTokens()).isPositive();
    assertThat(end.usage().providerCostMicros()).isPresent();
    assertThat(end.usage().providerCostMicros().getAsLong()).isPositive();
    await().atMost(Duration.ofSeconds(1)).until(() -> charges.counts(List.of(worker.id)).orElseThrow()
        .get(worker.id) == 0);
  }

  @Test
  void aNonStreamedAnswerIsTheStreamCollected() throws UpstreamException {
    StringBuilder streamed = new StringBuilder();
    Waiting.stream(adapter, endpoint(), request("\"max_tokens\":8,"),
        c -> streamed.append(c.at("/choices/0/delta/content").asText("")), () -> false);

    Completion completion = Waiting.complete(adapter, endpoint(), request("\"max_tokens\":8,"));

    assertThat(completion.finishReason()).isEqualTo("length");
    assertThat(completion.body().at("/choices/0/message/content").asText()).isEqualTo(streamed.toString());
    assertThat(completion.body().at("/usage/completion_tokens").asLong()).isEqualTo(8);
    assertThat(completion.usage().providerCostMicros()).isPresent();
  }

  @Test
  void aStopSequenceEndsTheAnswer() throws UpstreamException {
    StringBuilder full = new StringBuilder();
    Waiting.stream(adapter, endpoint(), request("\"max_tokens\":40,"),
        c -> full.append(c.at("/choices/0/delta/content").asText("")), () -> false);
    String stop = full.toString().split(" ")[3];

    Completion stopped = Waiting.complete(adapter, endpoint(), request("\"max_tokens\":40,\"stop\":[\"" + stop + "\"],"));

    assertThat(stopped.body().at("/choices/0/message/content").asText())
        .isEqualTo(full.substring(0, full.indexOf(stop)));
    assertThat(stopped.finishReason()).isEqualTo("stop");
  }

  @Test
  void aClientThatGoesAwayCancelsTheGenerationOnTheWorker() throws UpstreamException {
    AtomicBoolean cancelled = new AtomicBoolean();
    AtomicInteger received = new AtomicInteger();

    StreamEnd end = Waiting.stream(adapter, endpoint(), request("\"max_tokens\":1000,"), chunk -> {
      if (received.incrementAndGet() == 2) {
        cancelled.set(true);
      }
    }, cancelled::get);

    assertThat(end.complete()).isFalse();
    await().atMost(Duration.ofSeconds(2)).until(() -> worker.count("cancelled") == 1);
    assertThat(worker.served()).isZero();
    await().atMost(Duration.ofSeconds(1)).until(() -> worker.worker.dispatcher().load().running() == 0);
  }

  @Test
  void aFullWorkerIsAnUpstreamFailureSoTheRouterMovesOn() throws Exception {
    // A card so slow that no generation can end while the test looks: the engine stops an answer at
    // its natural length (16 tokens at least), which on the fast card takes a few milliseconds and
    // would free a slot, so the queue would never hold 8 or a 17th request would be admitted.
    worker.stop();
    worker.close();
    worker = new TestWorker(prefix, slowProfile(), Duration.ofSeconds(5)).start();
    await().atMost(Duration.ofSeconds(5)).until(() -> endpoints.endpoints(MODEL).size() == 1
        && registry.worker(worker.id).isPresent());
    Endpoint endpoint = endpoint();
    // Another router fleet (its own charge keys) fills the worker: 8 running, 8 queued.
    InflightCharges elsewhere = new InflightCharges(connection, new WorkerKeys(prefix + "other:"),
        Duration.ofMinutes(1), Clock.systemUTC());
    WorkerAdapter otherRouter = new WorkerAdapter(registry::worker, elsewhere, JSON, Duration.ofSeconds(30),
        Duration.ofSeconds(30), Clock.systemUTC());
    List<CompletableFuture<StreamEnd>> filling = new ArrayList<>();
    // None ends while the test looks (see slowProfile); all are cancelled at the end.
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    for (int i = 0; i < 16; i++) {
      ChatRequest r = request("\"max_tokens\":4000,\"seed\":" + i + ",");
      filling.add(CompletableFuture.supplyAsync(() -> {
        try {
          return Waiting.stream(otherRouter, endpoint, r, chunk -> { }, done::get);
        } catch (UpstreamException e) {
          throw new IllegalStateException(e);
        }
      }, calls));
    }
    await().atMost(Duration.ofSeconds(15)).until(() -> worker.worker.dispatcher().load().queued() == 8);

    assertThatThrownBy(() -> Waiting.stream(adapter, endpoint, request(""), chunk -> { }, () -> false))
        .isInstanceOf(UpstreamException.class)
        .hasMessageContaining("RESOURCE_EXHAUSTED")
        .satisfies(e -> assertThat(((UpstreamException) e).status()).isEqualTo(429));

    // And charged full by this fleet, it is not even called.
    for (int i = 0; i < 16; i++) {
      charges.claim(worker.id, 16).orElseThrow();
    }
    assertThatThrownBy(() -> Waiting.stream(adapter, endpoint, request(""), chunk -> { }, () -> false))
        .isInstanceOf(UpstreamException.class).hasMessageContaining("is full")
        .satisfies(e -> assertThat(((UpstreamException) e).atCapacity()).isTrue());
    assertThat(endpoints.endpoints(MODEL)).as("a full worker is still offered: a slot may free up")
        .extracting(Endpoint::id).containsExactly(endpoint.id());
    done.set(true);
    CompletableFuture.allOf(filling.toArray(CompletableFuture[]::new)).join();
  }

  @Test
  void aDrainLosesNoRunningRequest() throws Exception {
    Endpoint endpoint = endpoint();
    List<StreamEnd> ends = new CopyOnWriteArrayList<>();
    AtomicInteger firstChunks = new AtomicInteger();
    List<CompletableFuture<Void>> running = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ChatRequest r = request("\"max_tokens\":200,\"seed\":" + (100 + i) + ",");
      running.add(CompletableFuture.runAsync(() -> {
        AtomicBoolean first = new AtomicBoolean(true);
        try {
          ends.add(Waiting.stream(adapter, endpoint, r, chunk -> {
            if (first.getAndSet(false)) {
              firstChunks.incrementAndGet();
            }
          }, () -> false));
        } catch (UpstreamException e) {
          throw new IllegalStateException(e);
        }
      }, calls));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> firstChunks.get() == 6);

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(worker::stop, calls);

    await().atMost(Duration.ofSeconds(1)).until(() -> registry.worker(worker.id).isEmpty());
    assertThatThrownBy(() -> Waiting.stream(adapter, endpoint, request(""), chunk -> { }, () -> false))
        .isInstanceOf(UpstreamException.class);
    CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(10, java.util.concurrent.TimeUnit.SECONDS);
    stopping.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(ends).hasSize(6).allSatisfy(end -> {
      assertThat(end.complete()).isTrue();
      assertThat(end.finishReason()).isIn("stop", "length");
    });
    assertThat(worker.served()).isEqualTo(6);
  }
}
