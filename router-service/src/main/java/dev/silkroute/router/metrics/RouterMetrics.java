package dev.silkroute.router.metrics;

import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.usage.UsageObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Router metrics from every usage event: requests, latency and time to first token, tokens, money,
 * fallbacks, and how publishing to Kafka went. Labels are bounded: provider, model and author come
 * from the catalog (an unknown model never produces an event), status and finish reason are enums;
 * never a customer, key or generation id.
 */
public final class RouterMetrics implements UsageObserver {

  static final String REQUESTS = "silkroute.router.requests";
  static final String LATENCY = "silkroute.router.request.duration";
  static final String TTFT = "silkroute.router.time.to.first.token";
  static final String TOKENS = "silkroute.router.tokens";
  static final String PRICE = "silkroute.router.price.micro.usd";
  static final String PROVIDER_COST = "silkroute.router.provider.cost.micro.usd";
  static final String FALLBACKS = "silkroute.router.fallbacks";
  static final String ATTEMPTS = "silkroute.router.attempts";
  static final String KAFKA_PUBLISH = "silkroute.router.kafka.publish";
  static final String SPOOLED = "silkroute.router.usage.spooled";
  static final String HEDGES = "silkroute.router.hedges";
  static final String HEDGE_WINS = "silkroute.router.hedge.wins";
  static final String HEDGE_COST = "silkroute.router.hedge.cost.micro.usd";

  private final MeterRegistry registry;
  private final Timer kafkaPublish;
  private final Counter spooled;
  private final Counter hedges;
  private final Counter primaryWins;
  private final Counter hedgeWins;
  private final Map<String, Counter> hedgeCostByProvider = new ConcurrentHashMap<>();
  private final Map<Labels, Meters> metersByLabels = new ConcurrentHashMap<>();
  private final Map<Served, Timer> timesToFirstToken = new ConcurrentHashMap<>();

  public RouterMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.kafkaPublish = Timer.builder(KAFKA_PUBLISH)
        .description("Time from handing a usage event to the Kafka producer to its acknowledgement")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    this.spooled = Counter.builder(SPOOLED)
        .description("Usage events Kafka did not take, written to the local spool for replay")
        .register(registry);
    this.hedges = Counter.builder(HEDGES)
        .description("Requests whose first token was late enough that a second endpoint was called too (hedged)")
        .register(registry);
    String wins = "Hedged requests, by which leg served them: the first endpoint or the hedge";
    this.primaryWins = Counter.builder(HEDGE_WINS).description(wins).tag("winner", "primary").register(registry);
    this.hedgeWins = Counter.builder(HEDGE_WINS).description(wins).tag("winner", "hedge").register(registry);
  }

  @Override
  public void published(UsageEvent event) {
    if (event.getHedgeLoss()) {
      // The leg of a hedged request that did not serve it: not a request of its own, only a cost.
      increment(hedgeCostByProvider.computeIfAbsent(label(event.getProvider()), provider ->
          counter(HEDGE_COST, "What the legs of hedged requests that did not serve them cost us, micro-USD",
              Tags.of("provider", provider))), event.getProviderCostMicros());
      return;
    }
    if (event.getHedged()) {
      hedges.increment();
      (event.getServedByHedge() ? hedgeWins : primaryWins).increment();
    }
    Meters meters = metersByLabels.computeIfAbsent(new Labels(label(event.getProvider()), label(event.getModel()),
        label(event.getModelAuthor()), status(event.getStatus()), label(event.getFinishReason())), this::meters);
    meters.requests().increment();
    meters.latency().record(event.getLatencyMs(), TimeUnit.MILLISECONDS);
    if (event.getTimeToFirstTokenMs() > 0) { // 0 = no token was ever sent
      // Registered only once a token was sent, so a model that never streamed has no empty series.
      timesToFirstToken.computeIfAbsent(new Served(label(event.getProvider()), label(event.getModel())), by ->
          Timer.builder(TTFT)
              .description("From request received to first content token sent")
              .tags("provider", by.provider(), "model", by.model()).publishPercentileHistogram()
              .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofMinutes(2))
              .register(registry))
          .record(event.getTimeToFirstTokenMs(), TimeUnit.MILLISECONDS);
    }
    increment(meters.promptTokens(), event.getPromptTokens());
    increment(meters.completionTokens(), event.getCompletionTokens());
    // Part of the prompt tokens: cached / prompt is a pool's prefix-cache (or a provider's prompt-cache) hit rate.
    increment(meters.cachedTokens(), event.getCachedTokens());
    increment(meters.price(), event.getPriceMicros());
    increment(meters.providerCost(), event.getProviderCostMicros());
    // attempts is 0 in events from routers before it was set; such a request was served at once.
    int attempts = Math.max(1, event.getAttempts());
    increment(meters.attempts(), attempts);
    // A hedge is an attempt too, but not a fallback: one more endpoint was tried only because the first was late.
    increment(meters.fallbacks(), attempts - (event.getHedged() ? 1 : 0) > 1 ? 1 : 0);
  }

  /** What one request's meters are told apart by; all bounded (see the class comment). */
  private record Labels(String provider, String model, String author, String status, String finishReason) {
  }

  private record Served(String provider, String model) {
  }

  /** The meters of one {@link Labels}, looked up once: building and registering them per request costs. */
  private record Meters(Counter requests, Timer latency, Counter promptTokens,
                        Counter completionTokens, Counter cachedTokens, Counter price, Counter providerCost, Counter attempts,
                        Counter fallbacks) {
  }

  private Meters meters(Labels labels) {
    Tags served = Tags.of("provider", labels.provider(), "model", labels.model());
    Tags byAuthor = served.and("author", labels.author());
    String tokens = "Tokens billed, by type (prompt includes cached, completion includes reasoning)";
    Tags byAuthorCached = byAuthor.and("type", "cached");
    return new Meters(
        Counter.builder(REQUESTS)
            .description("Requests that reached a provider or worker, by how they ended")
            .tags(byAuthor).tag("status", labels.status()).tag("finish_reason", labels.finishReason())
            .register(registry),
        latencyTimer(registry, labels.provider(), labels.model()),
        counter(TOKENS, tokens, byAuthor.and("type", "prompt")),
        counter(TOKENS, tokens, byAuthor.and("type", "completion")),
        counter(TOKENS, tokens, byAuthorCached),
        counter(PRICE, "What customers are charged, micro-USD", byAuthor),
        counter(PROVIDER_COST, "What serving cost us (provider list price or GPU time), micro-USD", byAuthor),
        counter(ATTEMPTS, "Endpoints tried, summed over requests (attempts / requests = tries per request)", served),
        // Registered at zero too: a provider that never needed a fallback still has a series to rate().
        counter(FALLBACKS, "Requests served by another endpoint after the first one tried failed", served));
  }

  @Override
  public void delivered(long nanos) {
    kafkaPublish.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void spooled(UsageEvent event) {
    spooled.increment();
  }

  /** The request latency timer of one provider and model, as {@link #published} records it. */
  static Timer latencyTimer(MeterRegistry registry, String provider, String model) {
    return Timer.builder(LATENCY)
        .description("From request received to last byte sent, fallbacks included")
        .tags("provider", provider, "model", model).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(5)).maximumExpectedValue(Duration.ofMinutes(5))
        .register(registry);
  }

  /** That timer if this router recorded into it, without creating it. */
  static Optional<Timer> existingLatencyTimer(MeterRegistry registry, String provider, String model) {
    return Optional.ofNullable(registry.find(LATENCY).tags("provider", provider, "model", model).timer());
  }

  private Counter counter(String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private static void increment(Counter counter, long amount) {
    if (amount > 0) {
      counter.increment(amount);
    }
  }

  private static String status(UsageStatus status) {
    return switch (status) {
      case USAGE_STATUS_OK -> "ok";
      case USAGE_STATUS_ERROR -> "error";
      case USAGE_STATUS_CANCELLED -> "cancelled";
      case USAGE_STATUS_TRUNCATED -> "truncated";
      default -> "unknown";
    };
  }

  private static String label(String value) {
    return value == null || value.isEmpty() ? "unknown" : value;
  }
}
