package dev.silkroute.systemtests;

import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * What the router adds over one plain reverse-proxy hop (issue 15), in one run: the same requests
 * sent directly to a fast mock upstream (nginx answering from memory), through one nginx
 * reverse-proxy hop in front of it (the floor), and through the router's runnable jar with
 * production JVM flags (auth, limits, credit reservation, usage events to real Kafka on). Each at
 * fixed rates (open loop: latency counts from when a request was due) and then closed loop (the
 * most each path sustains), non-streamed (time to the whole answer) and streamed (time to the first
 * {@code data:} line). Each step reports p50/p99, what it adds over direct, the rate answers arrived
 * at, errors, and the CPU per request of every process (router, nginx hop, mock, and the load
 * generator itself), read from /proc before and after the step. Not a test: {@code bin/bench-router}
 * builds and runs it (docs/benchmarks/router.md).
 *
 * <p>Arguments: rates (requests/s, comma-separated, default 1000,2000,5000) and seconds per step
 * (default 10). System properties: {@code silkroute.bench.warmup-seconds} (default 40, per path and
 * mode), {@code silkroute.bench.connections} (closed loop, default 64), {@code silkroute.bench.results}
 * (a TSV file for {@link BenchmarkMedians}), {@code silkroute.bench.modes} ({@code complete},
 * {@code first-token} or {@code both}, the default), {@code silkroute.bench.nginx} and
 * {@code silkroute.bench.nginx-workers} (see {@link NginxProcess}), {@code silkroute.router.jar}, and
 * {@code silkroute.service.jvm-args} for the router's JVM (default: {@link #PRODUCTION_JVM}).
 *
 * <p>With {@code silkroute.router-b.jar}, a second router (another build; with
 * {@code silkroute.router-b.jvm-args}, other JVM options) runs beside the first and
 * is measured as the path {@code router B} in every step, right after the first: two builds compared
 * in one run, so that what the shared machine does meanwhile lands on both (its CPU is in the
 * router column of its own rows; each router is idle while the other is measured).
 */
public final class RouterOverheadBenchmark {

  /** The JIT and collector of the Docker image and k8s manifest (full tiered C2, G1), with a fixed heap. */
  static final String PRODUCTION_JVM = "-XX:TieredStopAtLevel=4 -XX:-UseSerialGC -XX:+UseG1GC -Xmx1g";

  private static final String UPSTREAM_BODY =
      "{\"model\":\"mock\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

  /** One path's requests for one mode: where they go and what they carry. */
  private record Target(URI uri, String body, String bearer) {
  }

  public static void main(String[] args) throws Exception {
    int[] rates = Arrays.stream((args.length > 0 ? args[0] : "1000,2000,5000").split(","))
        .mapToInt(Integer::parseInt).toArray();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int warmUp = Integer.getInteger("silkroute.bench.warmup-seconds", 40);
    int connections = Integer.getInteger("silkroute.bench.connections", 64);
    // "complete", "first-token" or both (the default): one mode halves a run, for a quick comparison.
    String modes = System.getProperty("silkroute.bench.modes", "both");
    int firstMode = modes.equals("first-token") ? 1 : 0;
    int lastMode = modes.equals("complete") ? 0 : 1;
    if (System.getProperty("silkroute.service.jvm-args") == null) {
      System.setProperty("silkroute.service.jvm-args", PRODUCTION_JVM);
    }
    Path work = Path.of("target", "bench-router");
    Files.createDirectories(work);
    String[] answers = upstreamAnswers();
    int mockPort = ServiceProcess.freePort();
    int hopPort = ServiceProcess.freePort();
    int routerPort = ServiceProcess.freePort();
    String jarB = System.getProperty("silkroute.router-b.jar");
    List<String> paths = jarB == null ? List.of("direct", "nginx hop", "router")
        : List.of("direct", "nginx hop", "router", "router B");
    Path catalog = work.resolve("catalog.yaml").toAbsolutePath();
    Files.writeString(catalog, catalog(mockPort));
    String prefix = Infra.uniqueName("bench") + ":";
    String key = RouterAccounts.activeKey(prefix, "cus_bench", "key_bench",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(100_000_000), OptionalLong.empty(), Set.of()));
    RouterAccounts.setBalance(prefix, "cus_bench", 1_000_000_000_000_000L);
    List<String[]> rows = new ArrayList<>();
    try (NginxProcess mock = NginxProcess.mock(work.resolve("nginx-mock"), mockPort, answers[0], answers[1]);
         NginxProcess hop = NginxProcess.proxy(work.resolve("nginx-hop"), hopPort, mockPort);
         ServiceProcess router = startRouter("bench-router", Path.of(System.getProperty("silkroute.router.jar",
             "../router-service/target/silkroute-router-service-0.1.0-SNAPSHOT-all.jar")), routerPort, catalog, work,
             prefix, null);
         ServiceProcess routerB = jarB == null ? null
             : startRouter("bench-router-b", Path.of(jarB), ServiceProcess.freePort(), catalog, work, prefix,
                 System.getProperty("silkroute.router-b.jvm-args"));
         LoadGenerator http = new LoadGenerator()) {
      Map<String, Target[]> targets = new LinkedHashMap<>(); // path -> {non-streamed, streamed}
      targets.put("direct", upstreamTargets(mockPort));
      targets.put("nginx hop", upstreamTargets(hopPort));
      URI routed = URI.create("http://127.0.0.1:" + routerPort + "/v1/chat/completions");
      targets.put("router", routerTargets(routed, key));
      if (routerB != null) {
        targets.put("router B", routerTargets(
            URI.create("http://127.0.0.1:" + routerB.httpPort() + "/v1/chat/completions"), key));
      }
      // CPU of each process, read from /proc/<pid>/stat; the load generator's own is kept apart.
      Map<String, Supplier<Duration>> processes = new LinkedHashMap<>();
      processes.put("router", router::cpuTime);
      processes.put("nginx hop", hop::cpuTime);
      processes.put("mock", mock::cpuTime);
      processes.put("load gen", () -> ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO));
      if (routerB != null) {
        processes.put("router B", routerB::cpuTime); // reported in the router column of its own rows
      }

      // Warm-up closed loop (JIT, connection pools): as fast as each path goes, never a backlog
      // that would spill into the first measured step. Then a quarter of that at each fixed rate:
      // C2 compiles for the branch and type profile it saw, and one request per turn of an event
      // loop takes other branches than many do, so without it the first fixed-rate step spends
      // seconds recompiling (thousands of methods of Netty, Micronaut, Lettuce: PrintCompilation)
      // and measures a JIT transient rather than the path a router serving traffic runs.
      int openWarmUp = Math.max(1, warmUp / 4);
      System.out.printf("warming up: %d s per path and mode closed loop (16 connections), then %d s at each rate%n",
          warmUp, openWarmUp);
      for (int mode = firstMode; mode <= lastMode; mode++) {
        for (Target[] target : targets.values()) {
          Target t = target[mode];
          http.closedLoop(t.uri(), t.body(), t.bearer(), 16, warmUp, mode == 1);
          for (int rate : rates) {
            settle(processes);
            http.run(t.uri(), t.body(), t.bearer(), rate, openWarmUp, mode == 1);
          }
        }
      }
      http.failures().clear(); // what failed while warming up is not a measured step's
      Map<String, Long> idleBefore = cpuNanos(processes);
      Thread.sleep(5_000);
      Map<String, Long> idleAfter = cpuNanos(processes);
      idleBefore.forEach((name, before) -> System.out.printf("%s CPU while idle: %.1f ms/s%n", name,
          (idleAfter.get(name) - before) / 1e6 / 5));
      for (int mode = firstMode; mode <= lastMode; mode++) {
        String modeName = mode == 0 ? "complete" : "first token";
        for (int rate : rates) {
          long[] direct = null;
          for (String path : paths) {
            Target t = targets.get(path)[mode];
            boolean streamed = mode == 1;
            Measured m = measure(processes, path.equals("router B") ? routerB : router,
                () -> http.run(t.uri(), t.body(), t.bearer(), rate, seconds, streamed));
            if (direct == null) {
              direct = new long[] {m.step().p50(), m.step().p99()};
            }
            rows.add(row(modeName, String.valueOf(rate), path, direct, m));
            System.out.println(String.join("\t", rows.get(rows.size() - 1)));
          }
        }
        for (String path : paths) {
          Target t = targets.get(path)[mode];
          boolean streamed = mode == 1;
          Measured m = measure(processes, path.equals("router B") ? routerB : router,
              () -> http.closedLoop(t.uri(), t.body(), t.bearer(), connections, seconds, streamed));
          rows.add(row(modeName, "max", path, null, m));
          System.out.println(String.join("\t", rows.get(rows.size() - 1)));
        }
      }
      http.failures().forEach((status, body) -> System.out.println("failed: " + status + ": " + body));
    }
    List<String[]> table = new ArrayList<>();
    table.add(BenchmarkMedians.HEADER);
    table.addAll(rows);
    String results = System.getProperty("silkroute.bench.results");
    if (results != null) {
      Files.write(Path.of(results), table.stream().map(r -> String.join("\t", r)).toList());
    }
    System.out.println();
    System.out.println(BenchmarkMedians.markdown(List.of(table)));
    System.exit(0);
  }

  /**
   * One result row (see {@link BenchmarkMedians#HEADER}); what a fixed-rate step adds is read against
   * the direct step at that rate ({@code direct} null for closed loop, where it means nothing).
   */
  private static String[] row(String mode, String load, String path, long[] direct, Measured measured) {
    LoadGenerator.Step step = measured.step();
    Map<String, Long> before = measured.cpuBefore();
    Map<String, Long> after = measured.cpuAfter();
    long routerSwitches = measured.routerSwitches();
    Duration routerJit = measured.routerJit();
    List<String> row = new ArrayList<>(List.of(mode, load, path, ms(step.p50()), ms(step.p99()),
        direct == null || path.equals("direct") ? "-" : ms(step.p50() - direct[0]),
        direct == null || path.equals("direct") ? "-" : ms(step.p99() - direct[1]),
        String.format("%.0f", step.answeredPerSecond()), String.valueOf(step.failed()), String.valueOf(step.sent()),
        direct == null ? "-" : ms(step.lateP99()))); // closed loop: every request is due when it leaves
    // CPU per request sent, every process: those off the path show their idle cost. A second router's
    // steps report its CPU in the router column.
    for (String name : List.of("router", "nginx hop", "mock", "load gen")) {
      String process = name.equals("router") && path.equals("router B") ? "router B" : name;
      row.add(String.format("%.1f", (after.get(process) - before.get(process)) / 1e3 / Math.max(1, step.sent())));
    }
    // The router's thread wake-ups per request sent (off its path: what it does while idle).
    row.add(String.format("%.2f", (double) routerSwitches / Math.max(1, step.sent())));
    // Of the router's CPU, what its JIT compiler threads took: a warm-up still going on, not the path.
    // (Never below 0: a compiler thread the JVM stopped during the step takes its time with it.)
    row.add(String.format("%.1f", Math.max(0, routerJit.toNanos()) / 1e3 / Math.max(1, step.sent())));
    return row.toArray(String[]::new);
  }

  /** One step, with every process's CPU around it and the router's (the one on the path) switches and JIT time. */
  private record Measured(LoadGenerator.Step step, Map<String, Long> cpuBefore, Map<String, Long> cpuAfter,
                          long routerSwitches, Duration routerJit) {
  }

  /** Waits for the processes to be quiet, then runs the step and reads what it cost. */
  private static Measured measure(Map<String, Supplier<Duration>> processes, ServiceProcess router,
                                  Callable<LoadGenerator.Step> run) throws Exception {
    settle(processes);
    Map<String, Long> before = cpuNanos(processes);
    long switchesBefore = router.contextSwitches();
    Duration jitBefore = router.jitCpuTime();
    LoadGenerator.Step step = run.call();
    Map<String, Long> after = cpuNanos(processes);
    return new Measured(step, before, after, router.contextSwitches() - switchesBefore,
        router.jitCpuTime().minus(jitBefore));
  }

  /**
   * Waits until the measured processes are quiet (together under a tenth of a core for half a
   * second, at most 30 s): what one step left behind (a backlog the router still works through
   * after the load generator gave up on it, a Kafka batch) must not land in the next step.
   */
  private static void settle(Map<String, Supplier<Duration>> processes) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      long before = measuredCpuNanos(processes);
      Thread.sleep(500);
      if (measuredCpuNanos(processes) - before < Duration.ofMillis(50).toNanos()) {
        return;
      }
    }
    System.out.println("  (the processes were still busy after 30 s; measuring anyway)");
  }

  /** CPU so far of every process but the load generator. */
  private static long measuredCpuNanos(Map<String, Supplier<Duration>> processes) {
    return processes.entrySet().stream().filter(e -> !e.getKey().equals("load gen"))
        .mapToLong(e -> e.getValue().get().toNanos()).sum();
  }

  private static Map<String, Long> cpuNanos(Map<String, Supplier<Duration>> processes) {
    Map<String, Long> nanos = new LinkedHashMap<>();
    processes.forEach((name, cpu) -> nanos.put(name, cpu.get().toNanos()));
    return nanos;
  }

  /** A router jar with production settings: the bench catalog, real Redis and Kafka, no gRPC. */
  private static ServiceProcess startRouter(String name, Path jar, int port, Path catalog, Path work, String prefix,
                                           String jvmArgs) throws Exception {
    return ServiceProcess.start(name, jar, port, Map.of(
            "silkroute.router.catalog", catalog.toString(),
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", work.resolve(name + ".spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
            "silkroute.kafka.usage-topic", Infra.kafka().createTopic(Infra.uniqueName("bench-usage"), 3),
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.redis.key-prefix", prefix),
        Map.of(), Duration.ofSeconds(90), jvmArgs);
  }

  private static Target[] routerTargets(URI routed, String key) {
    return new Target[] {
        new Target(routed, routerBody("bench/plain", false), key),
        new Target(routed, routerBody("bench/sse", true), key)};
  }

  private static Target[] upstreamTargets(int port) {
    return new Target[] {
        new Target(URI.create("http://127.0.0.1:" + port + "/plain/v1/chat/completions"), UPSTREAM_BODY, null),
        new Target(URI.create("http://127.0.0.1:" + port + "/sse/v1/chat/completions"),
            UPSTREAM_BODY.replace("}]}", "}],\"stream\":true}"), null)};
  }

  private static String routerBody(String model, boolean stream) {
    return "{\"model\":\"" + model + "\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]"
        + (stream ? ",\"stream\":true}" : "}");
  }

  /**
   * The mock's two answers, as provider-sim gives them (with zero delay) to the router's own
   * requests: a chat.completion and the event stream of the same answer with its usage chunk, so the
   * router parses, meters and bills what it would from a real provider. nginx then serves them from
   * memory, faster than provider-sim could.
   */
  private static String[] upstreamAnswers() throws Exception {
    try (ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("mock")))) {
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create(sim.baseUrl("mock") + "/chat/completions");
      String[] answers = new String[2];
      for (int i = 0; i < 2; i++) {
        String body = i == 0 ? UPSTREAM_BODY
            : UPSTREAM_BODY.replace("}]}", "}],\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
          throw new IllegalStateException("provider-sim answered " + answer.statusCode() + ": " + answer.body());
        }
        answers[i] = answer.body();
      }
      return answers;
    }
  }

  /** Two models on the mock, one per answer (nginx cannot tell a streamed request by its body). */
  private static String catalog(int mockPort) {
    StringBuilder yaml = new StringBuilder("providers:\n");
    for (String kind : List.of("plain", "sse")) {
      yaml.append("""
            mock-%s:
              kind: inference-host
              protocol: openai
              base_url: http://127.0.0.1:%d/%s/v1
              data_policy: {trains_on_prompts: false, retains_prompts: false}
          """.formatted(kind, mockPort, kind));
    }
    yaml.append("models:\n");
    for (String kind : List.of("plain", "sse")) {
      yaml.append("""
            - id: bench/%s
              name: "Bench: %s"
              context_length: 8192
              supported_parameters: [max_tokens, temperature]
              endpoints:
                - provider: mock-%s
                  upstream_model: mock
                  price: {prompt: "0.10", completion: "0.10"}
          """.formatted(kind, kind, kind));
    }
    return yaml.toString();
  }

  private static String ms(long nanos) {
    return String.format("%.3f", nanos / 1e6);
  }
}
