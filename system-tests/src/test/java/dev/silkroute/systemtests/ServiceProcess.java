package dev.silkroute.systemtests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A service's runnable jar started as a real process, as in production: its own JVM, its own
 * port, its log in target/e2e-logs. {@link #close()} stops it and waits for it to exit.
 */
final class ServiceProcess implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** The kernel's USER_HZ, in which /proc/<pid>/stat counts CPU time: 100 on every Linux we run. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private final String name;
  private final Process process;
  private final Path log;
  private final int httpPort;

  private ServiceProcess(String name, Process process, Path log, int httpPort) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.httpPort = httpPort;
  }

  /**
   * Starts {@code jar} with the given Micronaut properties (passed as {@code -name=value}) and
   * waits until its {@code /health} answers UP.
   */
  static ServiceProcess start(String name, Path jar, int httpPort, Map<String, String> properties,
                Map<String, String> environment) throws IOException, InterruptedException {
    return start(name, jar, httpPort, properties, environment, Duration.ofSeconds(90));
  }

  /** As above, waiting up to {@code startup} for the service to become healthy. */
  static ServiceProcess start(String name, Path jar, int httpPort, Map<String, String> properties,
                Map<String, String> environment, Duration startup) throws IOException, InterruptedException {
    return start(name, jar, httpPort, properties, environment, startup, null);
  }

  /** As above, with {@code jvmArgs} instead of {@code silkroute.service.jvm-args} (null: that property). */
  static ServiceProcess start(String name, Path jar, int httpPort, Map<String, String> properties,
                Map<String, String> environment, Duration startup, String jvmArgs)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build the services first (mvn package)");
    }
    Path logs = Path.of("target", "e2e-logs");
    Files.createDirectories(logs);
    Path log = logs.resolve(name + ".log");
    // Another runtime for the services than the tests' own (silkroute.service.java-home), to compare
    // JVMs side by side: the load generator stays the same.
    String javaHome = System.getProperty("silkroute.service.java-home", System.getProperty("java.home"));
    List<String> command = new ArrayList<>(List.of(
        Path.of(javaHome, "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    // Extra JVM options for every service started, e.g. a flight recording or the JIT of production
    // (-XX:TieredStopAtLevel=4); later options win over the defaults above.
    String extra = (jvmArgs != null ? jvmArgs : System.getProperty("silkroute.service.jvm-args", "")).trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "-micronaut.server.port=" + httpPort));
    properties.forEach((key, value) -> command.add("-" + key + "=" + value));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    // A test JVM that ends without closing it (a failure in setup, Ctrl-C) must not leave it running.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-" + name));
    ServiceProcess service = new ServiceProcess(name, process, log, httpPort);
    service.awaitHealthy(startup);
    return service;
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** CPU time the process has used so far, all threads, user and system. */
  java.time.Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  /**
   * CPU so far of the process's JIT compiler threads (C1 and C2, from /proc/<pid>/task/<tid>/stat):
   * how much of a step's CPU was the JVM still compiling rather than the path's steady state.
   * Zero where /proc is missing.
   */
  java.time.Duration jitCpuTime() {
    long ticks = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", String.valueOf(process.pid()), "task"))) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          if (!java.nio.file.Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            continue;
          }
          String stat = java.nio.file.Files.readString(task.resolve("stat"));
          // Fields after the command's closing parenthesis: state is the 3rd, utime the 14th, stime the 15th.
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException threadEnded) {
          // a compiler thread that ended meanwhile (the JVM stops idle ones): its time is gone with it
        }
      }
    } catch (IOException | RuntimeException noProc) {
      return java.time.Duration.ZERO;
    }
    return java.time.Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
  }

  /**
   * Context switches so far of the process's live threads, voluntary and not (from
   * /proc/<pid>/task/<tid>/status): how often its threads stopped and were woken up again, which a
   * hand-off between threads costs whatever else the machine is doing. 0 where /proc is missing.
   */
  long contextSwitches() {
    long total = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", String.valueOf(process.pid()), "task"))) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
              total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException | RuntimeException threadEnded) {
          // a thread that ended meanwhile: its switches are gone with it
        }
      }
    } catch (IOException | RuntimeException noProc) {
      return 0;
    }
    return total;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  private void awaitHealthy(Duration bound) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(bound);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
      }
      try {
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(uri("/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(name + " did not become healthy within " + bound + ":\n" + tail());
  }

  String tail() throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /** Kills the process at once (SIGKILL, as {@code kill -9}): no shutdown hook, no flush, no drain. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  int httpPort() {
    return httpPort;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
