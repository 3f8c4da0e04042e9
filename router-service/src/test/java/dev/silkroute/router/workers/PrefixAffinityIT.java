package dev.silkroute.router.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.GuardSettings;
import dev.silkroute.router.routing.LocalStatsBuckets;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.OrderRules;
import dev.silkroute.router.routing.StickySessions;
import dev.silkroute.router.routing.TrafficStats;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.usage.UsageSpool;
import dev.silkroute.testkit.Infra;
import dev.silkroute.worker.engine.GpuProfile;
import io.grpc.ManagedChannelBuilder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prefix-cache affinity end to end: two real workers (simulated GPUs with slow prefill, gRPC,
 * heartbeats in the real Redis), the router's {@link ChatRouter} with {@link WorkerPrefixes} from the
 * registry. An agent's conversations share one long system prompt: the first goes to either worker;
 * once that worker's heartbeat says it holds the prompt's blocks, the next ones go to it, and their
 * first token comes without the prefill of the shared part.
 */
class PrefixAffinityIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** ~2050 tokens: 8 whole prefix blocks. */
  private static final String SYSTEM = "Tools and rules of a long-running agent. ".repeat(200);
  /** Prefill 4000 tokens/s: the shared prompt costs ~0.5 s cold. */
  private static final GpuProfile SLOW_PREFILL = new GpuProfile("L4", 4_000, 400, 0.01, 8, 1_000_000, 1_000_000);

  @TempDir
  Path dir;

  private final String prefix = Infra.uniqueName("silkroute-test:prefix:");
  private final List<TestWorker> workers = new ArrayList<>();
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private WorkerRegistry registry;
  private UsagePublisher usage;
  private ExecutorService continueOn;

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    registry = new WorkerRegistry(redis, new WorkerKeys(prefix), new WorkerReports(), Duration.ofMillis(500),
        address -> ManagedChannelBuilder.forTarget(address).usePlaintext().build()).start();
    Properties kafka = new Properties();
    kafka.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    usage = new UsagePublisher(new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer()),
        Infra.kafka().createTopic(Infra.uniqueName("usage-prefix"), 1), new UsageSpool(dir.resolve("spool"), 64L << 20));
    continueOn = Executors.newCachedThreadPool();
  }

  @AfterEach
  void stop() {
    workers.forEach(TestWorker::close);
    registry.close();
    usage.close();
    continueOn.shutdown();
    connection.close();
    redis.shutdown();
  }

  @Test
  void conversationsSharingALongSystemPromptGoToTheWorkerHoldingItAndStartSooner() throws Exception {
    workers.add(new TestWorker(prefix, SLOW_PREFILL, Duration.ofSeconds(5)).start());
    workers.add(new TestWorker(prefix, SLOW_PREFILL, Duration.ofSeconds(5)).start());
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.workers().size() == 2);
    ChatRouter router = router();

    JsonNode first = ask(router, "question 0");
    String holder = servedBy(first);
    assertThat(first.at("/routing/prefix_affinity").asText()).isEqualTo("miss");
    long coldTtft = first.at("/routing/attempts/0/ttft_ms").asLong();
    // The worker's heartbeat after the request says which prefix blocks it now holds.
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.worker(holder)
        .map(w -> w.status().getPrefixHashesCount() >= 8).orElse(false));

    List<Long> warmTtfts = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      JsonNode next = ask(router, "question " + i);
      assertThat(servedBy(next)).as("conversation %d", i).isEqualTo(holder);
      assertThat(next.at("/routing/prefix_affinity").asText()).isEqualTo("holder");
      assertThat(next.at("/routing/prefix_cached_tokens").asLong()).isEqualTo(2_048);
      warmTtfts.add(next.at("/routing/attempts/0/ttft_ms").asLong());
    }

    System.out.printf("prefix affinity: cold TTFT %d ms, warm TTFTs %s ms on %s%n", coldTtft, warmTtfts, holder);
    // Cold: ~2060 prompt tokens at 4000/s (~515 ms); warm: the ~13 tokens after the cached blocks.
    assertThat(coldTtft).isGreaterThanOrEqualTo(400);
    assertThat(warmTtfts).allSatisfy(warm -> assertThat(warm).isLessThan(coldTtft / 2));
    TestWorker served = workers.stream().filter(w -> w.id.equals(holder)).findFirst().orElseThrow();
    assertThat(served.served()).isEqualTo(5);
  }

  private ChatRouter router() {
    InflightCharges charges = new InflightCharges(connection, new WorkerKeys(prefix), Duration.ofMinutes(1),
        Clock.systemUTC());
    WorkerEndpoints source = new WorkerEndpoints(registry, charges, new WorkerPricing(20, 1_000, 10),
        id -> Optional.empty(), Duration.ofSeconds(60), Math::random);
    Model model = new Model(TestWorker.MODEL, "Qwen3 32B", 32_768, List.of());
    Catalog catalog = new Catalog(List.of(model));
    ProviderAdapters adapters = new ProviderAdapters(Map.of(Endpoint.Protocol.WORKER,
        new WorkerAdapter(registry::worker, charges, JSON, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Clock.systemUTC())));
    MarketOrder order = new MarketOrder(
        new EndpointBoard(GuardSettings.ofDefaults(), new TrafficStats(new LocalStatsBuckets(Clock.systemUTC()),
            Clock.systemUTC()), Clock.systemUTC()),
        new StickySessions(Clock.systemUTC(), Duration.ofMinutes(10)), () -> catalog, Math::random, System::nanoTime,
        OrderRules.ofDefaults(), new WorkerPrefixes(registry::worker));
    connection.sync().set(new RedisKeys(prefix).balance("cus_prefix"), "1000000000");
    Admission admission = new Admission(connection, prefix, Clock.systemUTC());
    return new ChatRouter(order, List.of(source), adapters, admission, usage, JSON, Clock.systemUTC(),
        System::nanoTime, "prefix-it");
  }

  private JsonNode ask(ChatRouter router, String question) throws Exception {
    byte[] body = ("{\"model\":\"" + TestWorker.MODEL + "\",\"max_tokens\":4,\"messages\":["
        + "{\"role\":\"system\",\"content\":\"" + SYSTEM + "\"},"
        + "{\"role\":\"user\",\"content\":\"" + question + "\"}]}").getBytes(StandardCharsets.UTF_8);
    return router.completeAsync(ChatRouter.newGenerationId(), new Caller("cus_prefix", "key_prefix", KeyLimits.NONE),
        new ChatRequestParser(JSON).parse(body), true, continueOn).get();
  }

  /** The worker id in the serving endpoint's id, {@code <provider>/<worker-id>/<author>/<slug>}. */
  private static String servedBy(JsonNode answer) {
    JsonNode attempts = answer.at("/routing/attempts");
    return attempts.get(attempts.size() - 1).get("endpoint").asText().split("/", 3)[1];
  }
}
