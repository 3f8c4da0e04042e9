package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.chat.ChunkOut;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.OpenAiCompatibleAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.GuardSettings;
import dev.silkroute.router.routing.LocalStatsBuckets;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.StickySessions;
import dev.silkroute.router.routing.TrafficStats;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.usage.UsageSpool;
import dev.silkroute.testkit.Infra;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A burst of 500 concurrent streamed requests through the router's {@link ChatRouter} onto three
 * workers of different sizes, with an external provider (provider-sim) as the spill-over: every
 * request is answered, and each worker is filled to its capacity before requests spill over.
 */
class WorkerOverloadIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BURST = 500;

  @TempDir
  Path dir;

  private final String prefix = Infra.uniqueName("silkroute-test:overload:");
  private final List<TestWorker> workers = new ArrayList<>();
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private WorkerRegistry registry;
  private ProviderSim external;
  private UsagePublisher usage;

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    registry = new WorkerRegistry(redis, new WorkerKeys(prefix), new WorkerReports(), Duration.ofMillis(500),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
    external = ProviderSim.start(0, List.of(ProviderConfig.openai("external")
        .withKnobs(Knobs.builder().ttftMs(20).tokensPerSecond(500).completionTokens(16).build())));
    Properties kafka = new Properties();
    kafka.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    kafka.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    usage = new UsagePublisher(new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer()),
        Infra.kafka().createTopic(Infra.uniqueName("usage-overload"), 1), new UsageSpool(dir.resolve("spool"), 64L << 20));
  }

  @AfterEach
  void stop() {
    workers.forEach(TestWorker::close);
    registry.close();
    external.close();
    usage.close();
    connection.close();
    redis.shutdown();
  }

  @Test
  void aBurstIsServedInFullFillingEveryWorkerToItsCapacity() throws Exception {
    // Capacities (running + queued) 32, 16 and 8.
    workers.add(new TestWorker(prefix, TestWorker.profile("H100", 16, 2_500_000), Duration.ofSeconds(5)).start());
    workers.add(new TestWorker(prefix, TestWorker.profile("A100", 8, 1_500_000), Duration.ofSeconds(5)).start());
    workers.add(new TestWorker(prefix, TestWorker.profile("RTX4090", 4, 400_000), Duration.ofSeconds(5)).start());
    await().atMost(Duration.ofSeconds(1)).until(() -> registry.workers().size() == 3);

    InflightCharges charges = new InflightCharges(connection, new WorkerKeys(prefix), Duration.ofMinutes(1),
        Clock.systemUTC());
    WorkerEndpoints source = new WorkerEndpoints(registry, charges, new WorkerPricing(20, 1_000, 10),
        id -> Optional.empty(), Duration.ofSeconds(60), Math::random);
    Endpoint externalEndpoint = new Endpoint("external/" + TestWorker.MODEL, "external", Endpoint.Protocol.OPENAI,
        URI.create(external.baseUrl("external")), TestWorker.MODEL, Optional.empty(), new Pricing(5_000_000, 5_000_000),
        new Pricing(5_000_000, 5_000_000));
    Model model = new Model(TestWorker.MODEL, "Qwen3 32B", 32_768, List.of(externalEndpoint));
    ProviderAdapters adapters = new ProviderAdapters(Map.of(
        Endpoint.Protocol.OPENAI, new OpenAiCompatibleAdapter(HttpClient.newHttpClient(), JSON, Duration.ofSeconds(10)),
        Endpoint.Protocol.WORKER, new WorkerAdapter(registry::worker, charges, JSON, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Clock.systemUTC())));
    Catalog catalog = new Catalog(List.of(model));
    MarketOrder order = new MarketOrder(
        new EndpointBoard(GuardSettings.ofDefaults(), new TrafficStats(new LocalStatsBuckets(Clock.systemUTC()),
            Clock.systemUTC()), Clock.systemUTC()),
        new StickySessions(Clock.systemUTC(), Duration.ofMinutes(10)), () -> catalog, Math::random, System::nanoTime);
    connection.sync().set(new RedisKeys(prefix).balance("cus_overload"), "1000000000");
    Admission admission = new Admission(connection, prefix, Clock.systemUTC());
    // The worker adapter streams by blocking calls; the router also continues each request here.
    ExecutorService blocking = Executors.newCachedThreadPool();
    ChatRouter router = new ChatRouter(order, List.of(source), adapters, admission, usage, JSON, Clock.systemUTC(),
        System::nanoTime, "overload-it", blocking);
    Caller caller = new Caller("cus_overload", "key_overload", KeyLimits.NONE);
    ChatRequestParser parser = new ChatRequestParser(JSON);

    ExecutorService clients = Executors.newFixedThreadPool(BURST);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<String>> answers = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      byte[] body = ("{\"model\":\"" + TestWorker.MODEL + "\",\"stream\":true,\"max_tokens\":16,\"seed\":" + i
          + ",\"messages\":[{\"role\":\"user\",\"content\":\"request " + i + "\"}]}").getBytes(StandardCharsets.UTF_8);
      answers.add(clients.submit(() -> {
        go.await();
        StringBuilder events = new StringBuilder();
        router.streamAsync(ChatRouter.newGenerationId(), caller, parser.parse(body), new ChunkOut() {
          @Override
          public void chunk(ObjectNode json, boolean more) {
            events.append(json).append('\n');
          }

          @Override
          public void done() {
            events.append("[DONE]");
          }
        }, new Cancellation(), false, blocking).join();
        return events.toString();
      }));
    }
    go.countDown();
    List<String> results = new ArrayList<>();
    for (Future<String> answer : answers) {
      results.add(answer.get(60, TimeUnit.SECONDS)); // an RouterException (no endpoint left) would fail here
    }
    clients.shutdown();
    blocking.shutdown();

    assertThat(results).allSatisfy(events -> {
      assertThat(events).endsWith("[DONE]").doesNotContain("\"error\"");
    });
    int onWorkers = workers.stream().mapToInt(TestWorker::served).sum();
    long onExternal = external.requestCount("external");
    assertThat(onWorkers + onExternal).isEqualTo(BURST);
    assertThat(onExternal).as("the rest spills over").isPositive();
    assertThat(workers).allSatisfy(w -> assertThat(w.count("error")).isZero());
    // Each worker is filled to its capacity (running + queued: 32, 16, 8) before anything spills
    // over; beyond that, shares depend on how fast each cycles within the burst (a small worker
    // whose requests end sooner takes another wave), so they are not asserted exactly.
    String shares = workers.stream().map(w -> w.id + "=" + w.served()).toList() + " external=" + onExternal;
    int[] capacities = {32, 16, 8};
    for (int i = 0; i < 3; i++) {
      assertThat(workers.get(i).served()).as(shares).isGreaterThanOrEqualTo(capacities[i]);
    }
  }
}
