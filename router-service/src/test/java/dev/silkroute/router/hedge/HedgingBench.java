package dev.silkroute.router.hedge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hedging's benchmark (docs/benchmarks/routing.md, "Hedged first token"): a real router (HTTP, Redis,
 * Kafka) in front of provider-sim with three equally priced providers of one model, each answering its
 * first token in 40 ms. After a warm-up that measures all three, provider "c" starts to stall (its first
 * token after 3 s); then {@code REQUESTS} streamed requests, {@code CONCURRENCY} at a time, go through
 * the default routing. Measured at the client: time to first content token (p50/p90/p99); from the
 * router's meters: what providers cost, and what hedge losses cost. Hedging off, then on (default
 * budget, or {@code -Dshare=} percent of requests), each on a fresh router and key prefix, {@code RUNS}
 * times. Not a test: run its main (docs/benchmarks/routing.md says how).
 */
public final class HedgingBench {

  private static final String MODEL = "silkroute/bench";
  private static final int WARM_UP = 90;
  private static final int REQUESTS = Integer.getInteger("requests", 400);
  private static final int CONCURRENCY = Integer.getInteger("concurrency", 6);
  private static final int RUNS = Integer.getInteger("runs", 3);
  /** silkroute.hedge.max-share-percent when on; the default budget unless set. */
  private static final int SHARE = Integer.getInteger("share", 5);
  private static final List<String> MODES = List.of(System.getProperty("modes", "off,on").split(","));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hedging-bench");
    List<String> providers = List.of("a", "b", "c");
    try (ProviderSim sim = ProviderSim.start(0, providers.stream().map(ProviderConfig::openai).toList())) {
      StringBuilder catalog = new StringBuilder("providers:\n");
      providers.forEach(p -> catalog.append("  ").append(p).append(": {protocol: openai, base_url: \"")
          .append(sim.baseUrl(p)).append("\"}\n"));
      catalog.append("models:\n  - id: ").append(MODEL).append("\n    endpoints:\n");
      providers.forEach(p -> catalog.append("      - {provider: ").append(p)
          .append(", upstream_model: m, price: {prompt: \"1.00\", completion: \"2.00\"}}\n"));
      Files.writeString(dir.resolve("catalog.yaml"), catalog);
      String topic = Infra.kafka().createTopic(Infra.uniqueName("bench-usage"), 1);
      Map<String, List<Result>> results = new HashMap<>();
      for (int run = 1; run <= RUNS; run++) {
        for (String mode : MODES) {
          providers.forEach(p -> sim.update(p, k -> k.toBuilder().ttftMs(40).tokensPerSecond(400).build()));
          Result result = run(sim, dir, topic, mode.equals("on"), run);
          System.out.println("run " + run + " hedging " + mode + ": " + result);
          results.computeIfAbsent(mode, m -> new ArrayList<>()).add(result);
        }
      }
      for (String mode : MODES) {
        System.out.println("median of " + RUNS + ", hedging " + mode + ": " + Result.median(results.get(mode)));
      }
    }
  }

  private static Result run(ProviderSim sim, Path dir, String topic, boolean hedging, int run) throws Exception {
    String prefix = Infra.uniqueName("hedgebench") + ":";
    String key = RouterAccounts.activeKey(prefix, "cus_hedgebench", "key_hedgebench", KeyLimits.NONE);
    RouterAccounts.setBalance(prefix, "cus_hedgebench", 1_000_000_000_000L);
    try (ApplicationContext router = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "silkroute.hedge.enabled", Boolean.toString(hedging),
        "silkroute.hedge.max-share-percent", Integer.toString(SHARE),
        "micronaut.server.port", -1,
        "silkroute.router.catalog", dir.resolve("catalog.yaml").toString(),
        "silkroute.router.spool-file", dir.resolve("spool-" + run + "-" + hedging).toString(),
        "silkroute.routing.stats-refresh", "1s",
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", prefix,
        "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
        "silkroute.kafka.usage-topic", topic)).getApplicationContext()) {
      String url = "http://127.0.0.1:" + router.getBean(EmbeddedServer.class).getPort() + "/v1/chat/completions";
      drive(url, key, WARM_UP);
      measured(url.replace("/chat/completions", "/models/" + MODEL + "/endpoints"));
      sim.update("c", k -> k.toBuilder().ttftMs(3_000).build());
      MeterRegistry meters = router.getBean(MeterRegistry.class);
      double costBefore = sum(meters, "silkroute.router.provider.cost.micro.usd");
      long start = System.nanoTime();
      List<Long> ttfts = drive(url, key, REQUESTS);
      double seconds = (System.nanoTime() - start) / 1e9;
      Thread.sleep(500); // the last hedge losses are published
      double cost = sum(meters, "silkroute.router.provider.cost.micro.usd") - costBefore;
      double hedgeCost = sum(meters, "silkroute.router.hedge.cost.micro.usd");
      double hedges = sum(meters, "silkroute.router.hedges");
      Collections.sort(ttfts);
      return new Result(at(ttfts, 0.50), at(ttfts, 0.90), at(ttfts, 0.99), ttfts.get(ttfts.size() - 1),
          (long) hedges, (long) cost, (long) hedgeCost, REQUESTS / seconds);
    }
  }

  /** Waits until the router has the warm-up's time to first token of every endpoint (its p99) from Redis. */
  private static void measured(String endpoints) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode listed = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(endpoints)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      boolean all = listed.at("/data/endpoints").size() == 3;
      for (JsonNode endpoint : listed.at("/data/endpoints")) {
        all &= endpoint.at("/stats/ttft_p99_ms").asLong(-1) > 0;
      }
      if (all) {
        Thread.sleep(1_500); // and the router's own copy is refreshed (every second)
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the warm-up's statistics never showed: " + endpoints);
  }

  /** Sends {@code n} streamed requests, {@link #CONCURRENCY} at a time; each one's time to first token, ms. */
  private static List<Long> drive(String url, String key, int n) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
    AtomicInteger left = new AtomicInteger(n);
    List<Future<List<Long>>> workers = new ArrayList<>();
    for (int i = 0; i < CONCURRENCY; i++) {
      workers.add(clients.submit(() -> {
        List<Long> mine = new ArrayList<>();
        while (left.getAndDecrement() > 0) {
          mine.add(ttft(url, key));
        }
        return mine;
      }));
    }
    List<Long> all = new ArrayList<>();
    for (Future<List<Long>> worker : workers) {
      all.addAll(worker.get());
    }
    clients.shutdown();
    return all;
  }

  private static long ttft(String url, String key) throws Exception {
    ObjectNode body = JSON.createObjectNode().put("model", MODEL).put("stream", true).put("max_tokens", 32);
    body.putArray("messages").addObject().put("role", "user").put("content", "Tell me about the silk road");
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    long start = System.nanoTime();
    long first = -1;
    HttpResponse<java.util.stream.Stream<String>> response = HTTP.send(request, HttpResponse.BodyHandlers.ofLines());
    for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
      String line = lines.next();
      if (first < 0 && line.startsWith("data: {")) {
        JsonNode chunk = JSON.readTree(line.substring(6));
        if (!chunk.at("/choices/0/delta/content").asText("").isEmpty()) {
          first = System.nanoTime();
        }
      }
    }
    if (response.statusCode() != 200 || first < 0) {
      throw new IllegalStateException("no token: HTTP " + response.statusCode());
    }
    return (first - start) / 1_000_000;
  }

  private static double sum(MeterRegistry meters, String name) {
    return meters.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static long at(List<Long> sorted, double quantile) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1));
  }

  record Result(long p50, long p90, long p99, long max, long hedges, long providerCostMicros, long hedgeCostMicros,
                double requestsPerSecond) {

    static Result median(List<Result> results) {
      return new Result(med(results, Result::p50), med(results, Result::p90), med(results, Result::p99),
          med(results, Result::max), med(results, Result::hedges), med(results, Result::providerCostMicros),
          med(results, Result::hedgeCostMicros), results.stream().mapToDouble(Result::requestsPerSecond).sorted()
              .skip(results.size() / 2).findFirst().orElse(0));
    }

    private static long med(List<Result> results, java.util.function.ToLongFunction<Result> field) {
      return results.stream().mapToLong(field).sorted().skip(results.size() / 2).findFirst().orElse(0);
    }

    @Override
    public String toString() {
      return String.format("TTFT p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; %d hedges; serving legs cost %d micro-USD,"
          + " hedge losses %d more (+%.2f%%); %.1f req/s", p50, p90, p99, max, hedges, providerCostMicros,
          hedgeCostMicros, providerCostMicros == 0 ? 0 : 100.0 * hedgeCostMicros / providerCostMicros,
          requestsPerSecond);
    }
  }
}
