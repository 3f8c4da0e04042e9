package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.OpenAiCompatibleAdapter;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.provider.http.UpstreamHttpSettings;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.GuardSettings;
import dev.silkroute.router.routing.LocalStatsBuckets;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.StickySessions;
import dev.silkroute.router.routing.TrafficStats;
import dev.silkroute.router.usage.UsagePublisher;
import dev.silkroute.router.usage.UsageSpool;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
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
 * Where a request's work continues after a Redis reply: on the executor given (the HTTP request's
 * event loop), and, when that refuses work (an event loop shutting down), on the thread at hand,
 * so that an admitted request is still answered and its credit reservation settled; and that an
 * answer waits only for its settlement to be sent, not for Redis's reply.
 */
class ChatRouterContinuationIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long BALANCE = 1_000_000_000L;
  private static final Executor REFUSES = task -> {
    throw new RejectedExecutionException("event loop shut down");
  };

  @TempDir
  Path dir;

  private final String prefix = Infra.uniqueName("silkroute-test:continuation:");
  private RedisClient redis;
  private StatefulRedisConnection<String, String> connection;
  private ProviderSim sim;
  private UsagePublisher usage;
  private final HttpTransport transport = HttpTransport.withOwnLoops(1, UpstreamHttpSettings.ofDefaults());
  private ChatRouter router;
  private MarketOrder order;
  private ProviderAdapters adapters;
  private final Caller caller = new Caller("cus_continuation", "key_continuation", KeyLimits.NONE);

  @BeforeEach
  void start() {
    redis = RedisClient.create(Infra.redis().uri());
    connection = redis.connect();
    sim = ProviderSim.start(0, List.of(ProviderConfig.openai("sim")
        .withKnobs(Knobs.builder().ttftMs(0).completionTokens(8).build())));
    Properties kafka = new Properties();
    kafka.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers());
    usage = new UsagePublisher(new KafkaProducer<>(kafka, new StringSerializer(), new ByteArraySerializer()),
        Infra.kafka().createTopic(Infra.uniqueName("usage-continuation"), 1),
        new UsageSpool(dir.resolve("spool"), 64L << 20));
    Endpoint endpoint = new Endpoint("sim/test/model", "sim", Endpoint.Protocol.OPENAI, URI.create(sim.baseUrl("sim")),
        "test-model", Optional.empty(), new Pricing(1_000_000, 2_000_000), new Pricing(1_000_000, 2_000_000));
    Catalog catalog = new Catalog(List.of(new Model("test/model", "Test", 8_192, List.of(endpoint))));
    order = new MarketOrder(
        new EndpointBoard(GuardSettings.ofDefaults(), new TrafficStats(new LocalStatsBuckets(Clock.systemUTC()),
            Clock.systemUTC()), Clock.systemUTC()),
        new StickySessions(Clock.systemUTC(), Duration.ofMinutes(10)), () -> catalog, Math::random, System::nanoTime);
    adapters = new ProviderAdapters(Map.of(Endpoint.Protocol.OPENAI,
        new OpenAiCompatibleAdapter(transport, JSON, Duration.ofSeconds(10))));
    router = new ChatRouter(order, List.of(), adapters, new Admission(connection, prefix, Clock.systemUTC()), usage,
        JSON, Clock.systemUTC(), System::nanoTime, "continuation-it");
    connection.sync().set(new RedisKeys(prefix).balance(caller.customerId()), String.valueOf(BALANCE));
  }

  @AfterEach
  void stop() {
    transport.close();
    usage.close();
    sim.close();
    connection.close();
    redis.shutdown();
  }

  @Test
  void aNonStreamedRequestIsAnsweredAndSettledWhenItsEventLoopRefusesWork() throws Exception {
    ObjectNode answer = router.completeAsync(ChatRouter.newGenerationId(), caller, request(false), false, REFUSES)
        .get(10, TimeUnit.SECONDS);

    long cost = answer.at("/usage/cost").decimalValue().movePointRight(6).longValueExact();
    assertThat(cost).isPositive();
    assertThat(balance()).as("the reservation was turned into the cost").isEqualTo(BALANCE - cost);
  }

  @Test
  void aStreamedRequestIsAnsweredAndSettledWhenItsEventLoopRefusesWork() throws Exception {
    StringBuilder events = new StringBuilder();
    router.streamAsync(ChatRouter.newGenerationId(), caller, request(true), new ChunkOut() {
      @Override
      public synchronized void chunk(ObjectNode json, boolean more) {
        events.append(json).append('\n');
      }

      @Override
      public synchronized void done() {
        events.append("[DONE]");
      }
    }, new Cancellation(), false, REFUSES).get(10, TimeUnit.SECONDS);

    assertThat(events.toString()).endsWith("[DONE]").contains("\"usage\"");
    String usageChunk = events.toString().lines().filter(line -> line.contains("\"usage\"")).reduce((a, b) -> b)
        .orElseThrow();
    long cost = JSON.readTree(usageChunk).at("/usage/cost").decimalValue().movePointRight(6).longValueExact();
    assertThat(balance()).as("the reservation was turned into the cost").isEqualTo(BALANCE - cost);
  }

  @Test
  void anAnswerNeitherWaitsForItsSettlementsReplyNorFailsWithIt() throws Exception {
    sim.update("sim", knobs -> knobs.toBuilder().ttftMs(500).build());
    CompletableFuture<ObjectNode> answer = router.completeAsync(ChatRouter.newGenerationId(), caller, request(false),
        false, Runnable::run);
    // Reserved, and the upstream is thinking: the balance becomes a value the settlement cannot add to.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (balance() == BALANCE && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(balance()).as("the reservation was taken").isLessThan(BALANCE);
    String balanceKey = new RedisKeys(prefix).balance(caller.customerId());
    connection.sync().set(balanceKey, "not-a-number");

    ObjectNode answered = answer.get(10, TimeUnit.SECONDS);

    assertThat(answered.at("/choices/0/message/content").asText()).isNotEmpty();
    assertThat(connection.sync().get(balanceKey)).as("the settlement failed").isEqualTo("not-a-number");
  }

  @Test
  void workAfterEachRedisReplyRunsOnTheExecutorGiven() throws Exception {
    List<String> ranOn = new CopyOnWriteArrayList<>();
    ExecutorService eventLoop = Executors.newSingleThreadExecutor(task -> new Thread(task, "test-event-loop"));
    try {
      router.completeAsync(ChatRouter.newGenerationId(), caller, request(false), false, task -> eventLoop.execute(() -> {
        ranOn.add(Thread.currentThread().getName());
        task.run();
      })).get(10, TimeUnit.SECONDS);
    } finally {
      eventLoop.shutdown();
    }

    // After admission, after the upstream's answer (which arrives on the HTTP client's thread), and
    // the answer, queued behind the settlement's write: never left on Lettuce's I/O thread or the client's.
    assertThat(ranOn).hasSize(3).containsOnly("test-event-loop");
  }

  @Test
  void planningThatWaitedForARedisReplyGoesOnOnTheExecutorGiven() throws Exception {
    // As a worker pool's in-flight counts: a source whose answer arrives on another thread.
    ExecutorService replies = Executors.newSingleThreadExecutor(task -> new Thread(task, "test-redis-reply"));
    CompletableFuture<List<Endpoint>> reply = new CompletableFuture<>();
    List<String> ranOn = new CopyOnWriteArrayList<>();
    ExecutorService eventLoop = Executors.newSingleThreadExecutor(task -> new Thread(task, "test-event-loop"));
    try {
      ChatRouter withSource = routerWith(new EndpointSource() {
        @Override
        public List<Endpoint> endpoints(Model model) {
          throw new AssertionError("the request path must not wait for a source");
        }

        @Override
        public CompletableFuture<List<Endpoint>> endpointsAsync(Model model) {
          return reply;
        }
      });
      Future<ObjectNode> answer = withSource.completeAsync(ChatRouter.newGenerationId(), caller,
          request(false), false, task -> eventLoop.execute(() -> {
            ranOn.add(Thread.currentThread().getName());
            task.run();
          }));
      replies.execute(() -> reply.complete(List.of()));
      answer.get(10, TimeUnit.SECONDS);
    } finally {
      eventLoop.shutdown();
      replies.shutdown();
    }

    // After the source's answer, after admission, after the upstream's answer, and the answer.
    assertThat(ranOn).hasSize(4).containsOnly("test-event-loop");
  }

  @Test
  void aSourceThatFailsFailsTheRequestBeforeAnythingIsReserved() {
    ChatRouter withSource = routerWith(model -> {
      throw new IllegalStateException("registry unavailable");
    });

    assertThat(withSource.completeAsync(ChatRouter.newGenerationId(), caller, request(false), false, Runnable::run))
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withRootCauseInstanceOf(IllegalStateException.class);
    assertThat(balance()).isEqualTo(BALANCE);
  }

  private ChatRouter routerWith(EndpointSource source) {
    return new ChatRouter(order, List.of(source), adapters, new Admission(connection, prefix, Clock.systemUTC()),
        usage, JSON, Clock.systemUTC(), System::nanoTime, "continuation-it");
  }

  private long balance() {
    return Long.parseLong(connection.sync().get(new RedisKeys(prefix).balance(caller.customerId())));
  }

  private static ChatRequest request(boolean stream) {
    return new ChatRequestParser(JSON).parse(("{\"model\":\"test/model\",\"stream\":" + stream
        + ",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));
  }
}
