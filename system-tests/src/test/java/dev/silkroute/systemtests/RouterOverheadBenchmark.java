package dev.silkroute.systemtests;

import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.RouterAccounts;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The latency the router adds: the same requests sent at a fixed rate (open loop) to provider-sim
 * directly and through the router (its runnable jar, with auth, limits and credit on, usage to
 * real Kafka), side by side in one run, and through {@link TcpRelay}, a process that only passes the
 * bytes on: the floor any separate process in the path adds on this machine. Non-stream latency and
 * streamed time to first token; p50 and p99 per rate. Not a test: run it by hand
 * (docs/benchmarks/router.md).
 *
 * <p>Arguments: rates (requests/s, comma-separated, default 200,500,1000) and seconds per step
 * (default 15). System properties: {@code silkroute.bench.warmup-seconds} (default 10, per path),
 * {@code silkroute.router.jar}, and {@code silkroute.service.jvm-args} for the router's JVM (see
 * {@link ServiceProcess}). Besides latency, each step reports the rate answers actually arrived at,
 * the router's failed requests, and the router process's CPU time per request.
 */
public final class RouterOverheadBenchmark {

  private static final String MODEL = "deepseek/deepseek-chat-v3";

  public static void main(String[] args) throws Exception {
    int[] rates = java.util.Arrays.stream((args.length > 0 ? args[0] : "200,500,1000").split(","))
        .mapToInt(Integer::parseInt).toArray();
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek"), ProviderConfig.openai("together"),
        ProviderConfig.openai("alibaba"), ProviderConfig.openai("fireworks")));
    String prefix = Infra.uniqueName("bench") + ":";
    String key = RouterAccounts.activeKey(prefix, "cus_bench", "key_bench",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(1_000_000), OptionalLong.empty(), Set.of()));
    RouterAccounts.setBalance(prefix, "cus_bench", 1_000_000_000_000L);
    int routerPort = ServiceProcess.freePort();
    Process relay = null;
    try (ServiceProcess router = ServiceProcess.start("bench-router",
        Path.of(System.getProperty("silkroute.router.jar",
            "../router-service/target/silkroute-router-service-0.1.0-SNAPSHOT-all.jar")),
        routerPort, Map.of(
            "silkroute.router.catalog", System.getProperty("silkroute.catalog", "../deploy/catalog.yaml"),
            "silkroute.router.grpc-port", "0",
            "silkroute.router.spool-file", Path.of("target", "bench-router.spool").toAbsolutePath().toString(),
            "silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers(),
            "silkroute.kafka.usage-topic", Infra.kafka().createTopic(Infra.uniqueName("bench-usage"), 3),
            "silkroute.redis.uri", Infra.redis().uri(),
            "silkroute.redis.key-prefix", prefix),
        Map.of("SILKROUTE_PROVIDER_SIM_URL", sim.url()))) {
      LoadGenerator http = new LoadGenerator();  // closed below, before System.exit
      URI direct = URI.create(sim.baseUrl("deepseek") + "/chat/completions");
      // The floor: the same requests through a process that only relays bytes (TcpRelay).
      int relayPort = ServiceProcess.freePort();
      relay = startRelay(relayPort, direct);
      URI relayed = new URI(direct.getScheme(), null, direct.getHost(), relayPort, direct.getPath(), null, null);
      URI routed = URI.create("http://127.0.0.1:" + routerPort + "/v1/chat/completions");
      String upstreamBody = "{\"model\":\"deepseek-chat\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      String routerBody = "{\"model\":\"" + MODEL + "\",\"provider\":{\"sort\":\"price\"},\"max_tokens\":16,"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      // Warm both paths (JIT, connection pools) before measuring; the router's streamed path too.
      int warmUp = Integer.getInteger("silkroute.bench.warmup-seconds", 10);
      http.run(direct, upstreamBody, null, 300, warmUp, false);
      http.run(relayed, upstreamBody, null, 300, warmUp, false);
      http.run(routed, routerBody, key, 300, warmUp, false);
      http.run(routed, routerBody.substring(0, routerBody.length() - 1) + ",\"stream\":true}", key, 300, warmUp, true);
      // What the router burns with no requests at all (timers, pollers), to read the CPU per request against.
      long idleBefore = router.cpuTime().toNanos();
      Thread.sleep(5_000);
      System.out.printf("router CPU while idle: %.1f ms/s%n", (router.cpuTime().toNanos() - idleBefore) / 1e6 / 5);
      System.out.printf("%-8s %-10s %10s %10s %10s %10s %10s %10s %10s %10s %9s %9s %12s %9s %12s %7s%n", "rate/s",
          "mode", "direct p50", "direct p99", "router p50", "router p99", "added p50", "added p99", "relay +p50",
          "relay +p99", "direct/s", "router/s", "router errs", "cpu us/req", "bench us/req", "busy %");
      for (int rate : rates) {
        for (boolean stream : new boolean[] {false, true}) {
          String suffix = stream ? ",\"stream\":true}" : "}";
          String providerBody = upstreamBody.substring(0, upstreamBody.length() - 1) + suffix;
          LoadGenerator.Step d = http.run(direct, providerBody, null, rate, seconds, stream);
          LoadGenerator.Step floor = http.run(relayed, providerBody, null, rate, seconds, stream);
          long routerCpuBefore = router.cpuTime().toNanos();
          long benchCpuBefore = ownCpuNanos();
          long[] machineBefore = machineTicks();
          LoadGenerator.Step r = http.run(routed, routerBody.substring(0, routerBody.length() - 1) + suffix, key, rate, seconds, stream);
          // The router's own CPU per request: steadier than tail latency on a shared machine.
          double routerCpuPerRequest = (router.cpuTime().toNanos() - routerCpuBefore) / 1e3 / r.sent();
          // The load generator and provider-sim share this JVM; with the machine's busy share they
          // say how much of the 2 cores was left for the router.
          double benchCpuPerRequest = (ownCpuNanos() - benchCpuBefore) / 1e3 / r.sent();
          long[] machineAfter = machineTicks();
          double busy = 100.0 * (machineAfter[0] - machineBefore[0]) / Math.max(1, machineAfter[1] - machineBefore[1]);
          System.out.printf("%-8d %-10s %10s %10s %10s %10s %10s %10s %10s %10s %9.0f %9.0f %12s %9.0f %12.0f %7.0f%n",
              rate, stream ? "ttft" : "complete", ms(d.p50()), ms(d.p99()), ms(r.p50()), ms(r.p99()),
              ms(r.p50() - d.p50()), ms(r.p99() - d.p99()), ms(floor.p50() - d.p50()), ms(floor.p99() - d.p99()),
              d.answeredPerSecond(), r.answeredPerSecond(), r.failed() + "/" + r.sent(), routerCpuPerRequest,
              benchCpuPerRequest, busy);
        }
      }
      http.failures().forEach((status, body) -> System.out.println("failed: " + status + ": " + body));
      http.close();
    } finally {
      if (relay != null) {
        relay.destroyForcibly();
      }
      sim.close();
    }
    System.exit(0);
  }

  /** Starts {@link TcpRelay} as its own JVM, in front of {@code upstream}, and waits until it accepts. */
  private static Process startRelay(int port, URI upstream) throws Exception {
    Process relay = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), TcpRelay.class.getName(),
        String.valueOf(port), upstream.getHost(), String.valueOf(upstream.getPort()))
        .redirectErrorStream(true).redirectOutput(Path.of("target", "bench-relay.log").toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(relay::destroyForcibly, "stop-relay"));
    for (int attempt = 0; attempt < 200; attempt++) {
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return relay;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("the relay did not start: see target/bench-relay.log");
  }

  private static long ownCpuNanos() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
  }

  /** Busy and total jiffies of the whole machine from /proc/stat (zeros where there is none). */
  private static long[] machineTicks() {
    try {
      String[] cpu = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < cpu.length; i++) {
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]); // idle + iowait
      return new long[] {total - idle, total};
    } catch (java.io.IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  private static String ms(long nanos) {
    return String.format("%.2f ms", nanos / 1e6);
  }
}
