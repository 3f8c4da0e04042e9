package dev.silkroute.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The routing benchmark of issue 18 (docs/benchmarks/routing.md): one agent-like workload, the same
 * requests in the same order, through routers that differ in one switch each:
 *
 * <ol>
 *   <li>{@code list price} vs {@code effective cost} ({@code silkroute.routing.effective-cost}) on a
 *       model with three provider-sim endpoints whose list prices, cache discounts and cache hit
 *       shares differ: mean cost per request, from the {@code usage.cost} of each answer;
 *   <li>{@code affinity off} vs {@code affinity on} ({@code silkroute.routing.prefix-affinity}) on a
 *       pool of two simulated-GPU workers (fresh ones for each side): prefix hit rate (cached over
 *       prompt tokens, from each answer's usage), time to first token at the client, and GPU-seconds
 *       per request (the router's provider cost for the pool, which is the workers' measured GPU
 *       time at the H100 price).
 * </ol>
 *
 * <p>Real router and worker jars, real Redis and Kafka (testkit), provider-sim in process. Each side
 * has its own Redis key prefix, so no statistics leak from one to the other. Not a test:
 * {@code bin/bench-routing} builds and runs it. Arguments: conversations (default 30) and turns per
 * conversation (default 6). System properties: {@code silkroute.bench.results} (a TSV file of the
 * rows), {@code silkroute.bench.comparisons} ({@code cost}, {@code prefix} or both, the default),
 * {@code silkroute.bench.kv-cache-tokens} (each worker's simulated KV cache, default 48000 tokens).
 */
public final class RoutingWorkloadBenchmark {

  static final String HEADER = "comparison\tside\trequests\tfailed\tmean cost µUSD\tcached/prompt\t"
      + "TTFT p50 ms\tTTFT p99 ms\tGPU-s/request\tserved by";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String EXTERNAL_MODEL = "bench/agent";
  private static final String POOL_MODEL = "bench/agent-oss";
  /** The H100 profile's price, micro-USD per GPU-hour: the workers' cost is their GPU time at this price. */
  private static final double GPU_HOUR_MICROS = 2_500_000;
  private static final int CONCURRENCY = 6;

  /** One answered (or failed) request, as the client saw it. */
  record Outcome(boolean ok, long ttftNanos, long promptTokens, long cachedTokens, long costMicros, String provider) {
  }

  public static void main(String[] args) throws Exception {
    int conversations = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int turns = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    List<String> comparisons = List.of(System.getProperty("silkroute.bench.comparisons", "cost,prefix").split(","));
    List<List<String>> workload = AgentWorkload.requests(conversations, turns, 18);
    int total = workload.stream().mapToInt(List::size).sum();
    System.out.printf("workload: %d conversations x %d turns = %d requests, %d at a time%n",
        conversations, turns, total, CONCURRENCY);
    Path work = Files.createDirectories(Path.of("target", "bench-routing").toAbsolutePath());
    List<String[]> rows = new ArrayList<>();
    try (ProviderSim sim = ProviderSim.start(0, providers())) {
      Path catalog = work.resolve("catalog.yaml");
      Files.writeString(catalog, catalog(sim));
      // (1) list price vs effective cost, external providers only.
      for (boolean effective : comparisons.contains("cost") ? new boolean[] {false, true} : new boolean[0]) {
        try (Side side = Side.start(work, catalog, effective, false, 0)) {
          rows.add(side.run("cost", effective ? "effective cost" : "list price", workload, EXTERNAL_MODEL));
        }
      }
      // (2) prefix affinity off vs on, two fresh simulated workers each.
      for (boolean affinity : comparisons.contains("prefix") ? new boolean[] {false, true} : new boolean[0]) {
        try (Side side = Side.start(work, catalog, true, affinity, 2)) {
          rows.add(side.run("prefix", affinity ? "affinity on" : "affinity off", workload, POOL_MODEL));
        }
      }
    }
    List<String> lines = new ArrayList<>(List.of(HEADER));
    rows.forEach(r -> lines.add(String.join("\t", r)));
    String results = System.getProperty("silkroute.bench.results");
    if (results != null) {
      Files.write(Path.of(results), lines);
    }
    System.out.println();
    System.out.println(markdown(List.of(lines)));
    System.exit(0);
  }

  /**
   * Three providers for one model: the cheapest on the list has no prompt cache; the dearest caches
   * 80% of an agent's prompt at a 90% discount; the middle one 50% at half price.
   */
  private static List<ProviderConfig> providers() {
    Knobs base = Knobs.builder().ttftMs(40).tokensPerSecond(400).build();
    return List.of(
        ProviderConfig.openai("nocache").withKnobs(base),
        ProviderConfig.openai("halfcache").withKnobs(base.toBuilder().cachedPromptShare(0.5).build()),
        ProviderConfig.openai("deepcache").withKnobs(base.toBuilder().cachedPromptShare(0.8).build()));
  }

  private static String catalog(ProviderSim sim) {
    StringBuilder yaml = new StringBuilder("providers:\n");
    for (String p : List.of("nocache", "halfcache", "deepcache")) {
      yaml.append("""
            %s:
              kind: inference-host
              protocol: openai
              base_url: %s
              data_policy: {trains_on_prompts: false, retains_prompts: false}
          """.formatted(p, sim.baseUrl(p)));
    }
    return yaml + """
        models:
          - id: %s
            name: "Bench: agent"
            context_length: 131072
            supported_parameters: [max_tokens, temperature, tools, tool_choice]
            endpoints:
              - {provider: nocache, upstream_model: agent, price: {prompt: "0.50", completion: "1.50"}}
              - {provider: halfcache, upstream_model: agent, price: {prompt: "0.55", completion: "1.60", cached_prompt: "0.275"}}
              - {provider: deepcache, upstream_model: agent, price: {prompt: "0.60", completion: "1.80", cached_prompt: "0.06"}}
          - id: %s
            name: "Bench: agent on our GPUs"
            context_length: 131072
            supported_parameters: [max_tokens, temperature, tools, tool_choice]
            endpoints: []
        worker_pools:
          - name: silkroute
            model: %s
            upstream_model: %s
            price: {prompt: "0.12", completion: "0.36"}
            max_ttft_ms: 60000
        """.formatted(EXTERNAL_MODEL, POOL_MODEL, POOL_MODEL, POOL_MODEL);
  }

  /** One side of a comparison: a router with its switches, its own Redis prefix and key, its workers. */
  private static final class Side implements AutoCloseable {
    private final List<ServiceProcess> processes = new ArrayList<>();
    private ServiceProcess router;
    private String key;

    static Side start(Path work, Path catalog, boolean effectiveCost, boolean prefixAffinity, int workers)
        throws Exception {
      Side side = new Side();
      try {
        side.startProcesses(work, catalog, effectiveCost, prefixAffinity, workers);
      } catch (Exception | Error e) {
        side.close();
        throw e;
      }
      return side;
    }

    private void startProcesses(Path work, Path catalog, boolean effectiveCost, boolean prefixAffinity,
                                int workers) throws Exception {
      String prefix = Infra.uniqueName("bench-routing") + ":";
      key = RouterAccounts.activeKey(prefix, "cus_bench", "key_bench",
          new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of()));
      RouterAccounts.setBalance(prefix, "cus_bench", 1_000_000_000_000L);
      Duration startup = Duration.ofSeconds(240); // a loaded shared machine
      for (int i = 1; i <= workers; i++) {
        int grpc = ServiceProcess.freePort();
        processes.add(ServiceProcess.start("bench-routing-worker-" + i,
            LiveStack.privateCopy("silkroute.worker.jar"), ServiceProcess.freePort(), Map.of(
                "silkroute.redis.uri", Infra.redis().uri(),
                "silkroute.worker.grpc-port", String.valueOf(grpc),
                "silkroute.worker.id", "bench-worker-" + i,
                "silkroute.worker.advertised-address", "127.0.0.1:" + grpc,
                "silkroute.worker.models", POOL_MODEL,
                "silkroute.worker.gpu-type", "H100",
                // A KV cache too small to hold every conversation's history on every worker: where a
                // conversation goes decides whether its history is still cached there.
                "silkroute.worker.simulated.kv-cache-tokens", System.getProperty("silkroute.bench.kv-cache-tokens", "48000"),
                "silkroute.worker.heartbeat.key-prefix", prefix),
            Map.of(), startup));
      }
      router = ServiceProcess.start("bench-routing-router", LiveStack.privateCopy("silkroute.router.jar"),
          ServiceProcess.freePort(), Map.of(
              "silkroute.router.catalog", catalog.toString(),
              "silkroute.router.grpc-port", "0",
              "silkroute.router.spool-file", work.resolve(prefix.replace(':', '-') + "router.spool").toString(),
              "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
              "silkroute.kafka.usage-topic", Infra.kafka().createTopic(Infra.uniqueName("bench-routing-usage"), 3),
              "silkroute.redis.uri", Infra.redis().uri(),
              "silkroute.redis.key-prefix", prefix,
              "silkroute.routing.effective-cost", String.valueOf(effectiveCost),
              "silkroute.routing.prefix-affinity", String.valueOf(prefixAffinity),
              // About cost and caches, not timeouts: a starved machine's worker may take seconds to start.
              "silkroute.routing.first-byte-floor", "15s"),
          Map.of(), startup);
      processes.add(router);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (LiveStack.get(router.uri("/v1/providers/health")).path("workers").size() < workers) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the router did not see its " + workers + " workers within 60 s");
        }
        Thread.sleep(250);
      }
    }

    /** Sends every conversation's turns (turn k of all before turn k+1 of any), CONCURRENCY at a time. */
    String[] run(String comparison, String name, List<List<String>> workload, String model) throws Exception {
      double costBefore = poolCostMicros();
      ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
      int turns = workload.get(0).size();
      for (int t = 0; t < turns; t++) {
        for (List<String> conversation : workload) {
          queue.add(conversation.get(t).replace(AgentWorkload.MODEL, model));
        }
      }
      ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
      ExecutorService clients = Executors.newFixedThreadPool(CONCURRENCY);
      long start = System.nanoTime();
      for (int i = 0; i < CONCURRENCY; i++) {
        clients.execute(() -> {
          String body;
          while ((body = queue.poll()) != null) {
            outcomes.add(send(body));
          }
        });
      }
      clients.shutdown();
      clients.awaitTermination(30, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      List<Outcome> ok = outcomes.stream().filter(Outcome::ok).toList();
      long prompt = ok.stream().mapToLong(Outcome::promptTokens).sum();
      long cached = ok.stream().mapToLong(Outcome::cachedTokens).sum();
      long[] ttfts = ok.stream().mapToLong(Outcome::ttftNanos).sorted().toArray();
      Map<String, Integer> servedBy = new TreeMap<>();
      ok.forEach(o -> servedBy.merge(o.provider(), 1, Integer::sum));
      double gpuSeconds = (poolCostMicros() - costBefore) / GPU_HOUR_MICROS * 3600;
      String[] row = {comparison, name, String.valueOf(outcomes.size()), String.valueOf(outcomes.size() - ok.size()),
          String.format("%.1f", ok.stream().mapToLong(Outcome::costMicros).average().orElse(0)),
          String.format("%.3f", prompt == 0 ? 0 : (double) cached / prompt),
          ms(percentile(ttfts, 0.50)), ms(percentile(ttfts, 0.99)),
          model.equals(POOL_MODEL) ? String.format("%.3f", gpuSeconds / Math.max(1, ok.size())) : "-",
          servedBy.toString().replace(", ", " ").replace("{", "").replace("}", "")};
      System.out.printf("%s (%.0f s, load %s)%n", String.join("\t", row), seconds, loadAverage());
      return row;
    }

    private Outcome send(String body) {
      long start = System.nanoTime();
      try {
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(router.uri("/v1/chat/completions"))
            .timeout(Duration.ofSeconds(120))
            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
          if (response.statusCode() != 200) {
            System.out.println("  failed: " + response.statusCode() + " " + lines.readLine());
            return new Outcome(false, 0, 0, 0, 0, null);
          }
          long ttft = -1;
          JsonNode usage = null;
          String provider = "?";
          for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (!line.startsWith("data:") || line.contains("[DONE]")) {
              continue;
            }
            if (ttft < 0) {
              ttft = System.nanoTime() - start;
            }
            JsonNode chunk = JSON.readTree(line.substring(5));
            provider = chunk.path("provider").asText(provider);
            if (chunk.path("usage").isObject()) {
              usage = chunk.get("usage");
            }
          }
          if (usage == null) {
            return new Outcome(false, 0, 0, 0, 0, provider);
          }
          return new Outcome(true, ttft, usage.path("prompt_tokens").asLong(),
              usage.path("prompt_tokens_details").path("cached_tokens").asLong(),
              new BigDecimal(usage.path("cost").asText("0")).movePointRight(6).longValue(), provider);
        }
      } catch (IOException e) {
        System.out.println("  failed: " + e);
        return new Outcome(false, 0, 0, 0, 0, null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(false, 0, 0, 0, 0, null);
      }
    }

    /** The router's provider cost for its worker pool so far (GPU time at the GPU's price), micro-USD. */
    private double poolCostMicros() throws IOException, InterruptedException {
      String text = HTTP.send(HttpRequest.newBuilder(router.uri("/prometheus")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return text.lines()
          .filter(l -> l.startsWith("silkroute_router_provider_cost_micro_usd_total{") && l.contains("provider=\"silkroute\""))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() throws Exception {
      for (int i = processes.size() - 1; i >= 0; i--) {
        processes.get(i).close();
      }
    }
  }

  /**
   * Many conversations of a few agents: each agent has a long system prompt and a list of tools that
   * all its conversations share; a conversation's history grows by an assistant answer and a tool
   * result or user message each turn; max_tokens is mixed. Deterministic from the seed, so both
   * sides of a comparison (and every run) send the same bodies.
   */
  static final class AgentWorkload {
    static final String MODEL = "@MODEL@";
    private static final int AGENTS = 3;

    /** The request bodies, per conversation in turn order, streamed with usage. */
    static List<List<String>> requests(int conversations, int turns, long seed) {
      Random random = new Random(seed);
      List<String> systems = new ArrayList<>();
      List<ArrayNode> tools = new ArrayList<>();
      for (int a = 0; a < AGENTS; a++) {
        systems.add("You are agent " + a + ". " + words(random, 1_200 + random.nextInt(600)));
        ArrayNode list = JSON.createArrayNode();
        for (int t = 0; t < 8; t++) {
          ObjectNode function = list.addObject().put("type", "function").putObject("function");
          function.put("name", "tool_" + a + "_" + t).put("description", words(random, 40));
          ObjectNode parameters = function.putObject("parameters").put("type", "object");
          ObjectNode properties = parameters.putObject("properties");
          for (int p = 0; p < 4; p++) {
            properties.putObject("arg" + p).put("type", "string").put("description", words(random, 12));
          }
        }
        tools.add(list);
      }
      int[] maxTokens = {32, 64, 64, 128, 128, 256};
      List<List<String>> all = new ArrayList<>();
      for (int c = 0; c < conversations; c++) {
        int agent = c % AGENTS;
        ArrayNode messages = JSON.createArrayNode();
        messages.addObject().put("role", "system").put("content", systems.get(agent));
        messages.addObject().put("role", "user").put("content", "Task " + c + ": " + words(random, 80));
        List<String> bodies = new ArrayList<>();
        for (int t = 0; t < turns; t++) {
          ObjectNode body = JSON.createObjectNode().put("model", MODEL)
              .put("max_tokens", maxTokens[random.nextInt(maxTokens.length)])
              .put("stream", true);
          body.putObject("stream_options").put("include_usage", true);
          body.set("tools", tools.get(agent));
          body.set("messages", messages.deepCopy());
          bodies.add(body.toString());
          messages.addObject().put("role", "assistant").put("content", words(random, 60 + random.nextInt(60)));
          messages.addObject().put("role", "user").put("content", "Result: " + words(random, 40 + random.nextInt(120)));
        }
        all.add(bodies);
      }
      Collections.shuffle(all, random); // agents interleaved, not in blocks
      return all;
    }

    private static String words(Random random, int count) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < count; i++) {
        text.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
      }
      return text.toString();
    }

    private static final String[] WORDS = ("route request token cache prefix worker provider latency price model "
        + "answer stream queue budget ledger tool search file read write plan step check result error retry "
        + "customer invoice schema field value order shipment warehouse region market account").split(" ");
  }

  /** A markdown table of the rows, medians over the runs of each numeric cell (runs: TSV lines). */
  static String markdown(List<List<String>> runs) {
    List<String> header = List.of(runs.get(0).get(0).split("\t"));
    StringBuilder out = new StringBuilder("| " + String.join(" | ", header) + " |\n");
    out.append("|").append("---|".repeat(header.size())).append('\n');
    for (int r = 1; r < runs.get(0).size(); r++) {
      List<String> cells = new ArrayList<>();
      for (int c = 0; c < header.size(); c++) {
        List<String> values = new ArrayList<>();
        for (List<String> run : runs) {
          values.add(run.get(r).split("\t", -1)[c]);
        }
        cells.add(median(values));
      }
      out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return out.toString();
  }

  /** The median of numbers (formatted as the first one), else the first value; all values for text. */
  private static String median(List<String> values) {
    try {
      List<Double> numbers = new ArrayList<>(values.stream().map(Double::parseDouble).toList());
      Collections.sort(numbers);
      double median = numbers.get(numbers.size() / 2);
      int decimals = values.get(0).contains(".") ? values.get(0).length() - values.get(0).indexOf('.') - 1 : 0;
      return String.format("%." + decimals + "f", median);
    } catch (NumberFormatException text) {
      return values.stream().distinct().count() == 1 ? values.get(0) : String.join(" / ", values);
    }
  }

  /** Combines run TSV files into one table of medians: {@code RoutingWorkloadBenchmark$Medians files...}. */
  static final class Medians {
    public static void main(String[] args) throws IOException {
      List<List<String>> runs = new ArrayList<>();
      for (String file : args) {
        runs.add(Files.readAllLines(Path.of(file)));
      }
      System.out.println(markdown(runs));
    }
  }

  private static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static String ms(long nanos) {
    return String.format("%.0f", nanos / 1e6);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).substring(0, 14).trim();
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  private RoutingWorkloadBenchmark() {
  }
}
