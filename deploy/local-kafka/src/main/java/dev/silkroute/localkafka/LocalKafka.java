package dev.silkroute.localkafka;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) running in a child JVM from the
 * Maven Central jars listed in {@code silkroute/kafka.classpath}. For tests and local development
 * on machines without Docker.
 *
 * <p>This class uses only the JDK: testkit puts this module on test classpaths with every
 * transitive dependency excluded, so no broker jar leaks into a service's tests.
 *
 * <pre>{@code
 * try (LocalKafka kafka = LocalKafka.start(dir, 0)) {
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 *
 * <p>From a shell: {@code java -cp silkroute-local-kafka.jar dev.silkroute.localkafka.LocalKafka
 * --data-dir DIR --port 9092} runs in the foreground and stops the broker on SIGTERM or Ctrl-C.
 */
public final class LocalKafka implements AutoCloseable {

  /** Loopback only: a dev/test broker must not be reachable from the network. */
  public static final String HOST = "127.0.0.1";
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  static final String STARTED_MARKER = "Kafka Server started";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  /** Free ports are picked, then bound by the broker: another process may win in between. */
  private static final int ATTEMPTS_ON_PORT_CLASH = 3;
  /**
   * Heap and JIT for a broker that serves tests: about 4 s to start and under 500 MB resident.
   * C1-only compilation starts faster and uses less memory and CPU on small, shared machines.
   */
  private static final List<String> JVM_OPTIONS = List.of(
      "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
      "-Djava.awt.headless=true", "-Djava.net.preferIPv4Stack=true");

  private final Process process;
  private final BrokerFiles files;
  private final int port;

  private LocalKafka(Process process, BrokerFiles files, int port) {
    this.process = process;
    this.files = files;
    this.port = port;
  }

  /**
   * Formats {@code dataDir} unless it already holds a formatted broker, starts the broker and waits
   * until it has logged {@value #STARTED_MARKER} and accepts connections.
   *
   * @param port the client port on {@value #HOST}; 0 picks a free one (the controller port is
   *     always picked free)
   * @throws LocalKafkaException when the broker cannot be started within {@link
   *     #DEFAULT_START_TIMEOUT}, with the tail of its log in the message
   */
  public static LocalKafka start(Path dataDir, int port) {
    return start(dataDir, port, DEFAULT_START_TIMEOUT);
  }

  public static LocalKafka start(Path dataDir, int port, Duration timeout) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 (pick a free one) or 1..65535, was " + port);
    }
    if (port != 0 && FreePort.accepts(HOST, port)) {
      throw new LocalKafkaException("Port " + port + " on " + HOST + " is already in use (another Kafka?);"
          + " stop what listens there or pick another port");
    }
    BrokerFiles files = new BrokerFiles(dataDir);
    String classpath = BrokerClasspath.resolve();
    for (int attempt = 1; ; attempt++) {
      int clientPort = port == 0 ? FreePort.pick() : port;
      int controllerPort = FreePort.pick();
      files.write(HOST, clientPort, controllerPort);
      if (!files.isFormatted()) {
        format(classpath, files);
      }
      try {
        return launch(classpath, files, clientPort, timeout);
      } catch (PortClashException e) {
        if (port != 0 || attempt >= ATTEMPTS_ON_PORT_CLASH) {
          throw new LocalKafkaException(e.getMessage());
        }
      }
    }
  }

  public String bootstrapServers() {
    return HOST + ":" + port;
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Path dataDir() {
    return files.dataDir();
  }

  public Path logFile() {
    return files.brokerLog();
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the broker (SIGTERM: a controlled shutdown) and waits; SIGKILL if it takes over 30 s. */
  @Override
  public void close() {
    stop(process);
  }

  private static void format(String classpath, BrokerFiles files) {
    String clusterId = lastLine(runTool(classpath, files, "kafka.tools.StorageTool", "random-uuid"));
    if (!CLUSTER_ID.matcher(clusterId).matches()) {
      throw new LocalKafkaException("kafka.tools.StorageTool random-uuid printed no cluster id: " + clusterId);
    }
    runTool(classpath, files, "kafka.tools.StorageTool", "format", "-t", clusterId,
        "-c", files.serverProperties().toString());
  }

  private static String runTool(String classpath, BrokerFiles files, String mainClass, String... args) {
    List<String> command = javaCommand(classpath, files, mainClass, List.of(args));
    try {
      Process tool = new ProcessBuilder(command).redirectErrorStream(true).start();
      tool.getOutputStream().close();
      String output = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!tool.waitFor(TOOL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(tool);
        throw new LocalKafkaException(mainClass + " " + String.join(" ", args) + " did not finish within "
            + TOOL_TIMEOUT.toSeconds() + " s: " + output);
      }
      if (tool.exitValue() != 0) {
        throw new LocalKafkaException(mainClass + " " + String.join(" ", args) + " exited with "
            + tool.exitValue() + ": " + output);
      }
      return output;
    } catch (IOException e) {
      throw new LocalKafkaException("Cannot run " + mainClass + " with " + javaBinary(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalKafkaException("Interrupted while running " + mainClass, e);
    }
  }

  private static LocalKafka launch(String classpath, BrokerFiles files, int port, Duration timeout) {
    List<String> command = new ArrayList<>(javaCommand(classpath, files, ExitWithParent.class.getName(),
        List.of(Long.toString(ProcessHandle.current().pid()), "kafka.Kafka", files.serverProperties().toString())));
    Process process;
    try {
      Files.deleteIfExists(files.brokerLog());
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(files.consoleLog().toFile())
          .start();
      process.getOutputStream().close();
    } catch (IOException e) {
      throw new LocalKafkaException("Cannot start the broker JVM " + javaBinary(), e);
    }
    LocalKafka kafka = new LocalKafka(process, files, port);
    try {
      kafka.awaitStarted(timeout);
      return kafka;
    } catch (RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  private void awaitStarted(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    LogScan scan = new LogScan(files.brokerLog(), STARTED_MARKER);
    boolean started = false;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        String tail = failureReport();
        if (tail.contains("BindException") || tail.contains("Address already in use")) {
          throw new PortClashException("Broker could not bind its ports: " + tail);
        }
        throw new LocalKafkaException("Broker for " + bootstrapServers() + " exited with code "
            + process.exitValue() + " before it started. " + tail);
      }
      started = started || scan.found();
      if (started && FreePort.accepts(HOST, port)) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LocalKafkaException("Interrupted while waiting for the broker to start", e);
      }
    }
    throw new LocalKafkaException("Broker (pid " + pid() + ") did not start within " + timeout.toSeconds()
        + " s (logged \"" + STARTED_MARKER + "\": " + started + ", port " + port + " accepting: "
        + FreePort.accepts(HOST, port) + "). " + failureReport());
  }

  private String failureReport() {
    return "Errors in " + files.brokerLog() + ":\n" + errors(files.brokerLog(), 30)
        + "\nLast lines of " + files.brokerLog() + ":\n" + tail(files.brokerLog(), 25)
        + "\nLast lines of " + files.consoleLog() + ":\n" + tail(files.consoleLog(), 20);
  }

  private static List<String> javaCommand(String classpath, BrokerFiles files, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(JVM_OPTIONS);
    command.add("-Dlog4j2.configurationFile=" + files.log4jConfig().toUri());
    command.add("-Dkafka.logs.dir=" + files.dataDir());
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  private static String javaBinary() {
    boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java").toString();
  }

  private static void stop(Process process) {
    // Kafka starts no children of its own, but a tool or a future launcher script might.
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\\R");
    return lines[lines.length - 1].strip();
  }

  /** ERROR and FATAL lines with the two lines after each: the cause, which a controlled shutdown buries. */
  static String errors(Path file, int maxLines) {
    List<String> all = lines(file);
    List<String> found = new ArrayList<>();
    for (int i = 0; i < all.size() && found.size() < maxLines; i++) {
      if (all.get(i).contains("] ERROR ") || all.get(i).contains("] FATAL ")) {
        found.addAll(all.subList(i, Math.min(all.size(), i + 3)));
        i += 2;
      }
    }
    return found.isEmpty() ? "(none)" : String.join("\n", found);
  }

  static String tail(Path file, int lines) {
    List<String> all = lines(file);
    return all.isEmpty() ? "(empty)" : String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static List<String> lines(Path file) {
    if (!Files.exists(file)) {
      return List.of("(no file)");
    }
    try {
      return Files.readAllLines(file, StandardCharsets.ISO_8859_1);
    } catch (IOException | UncheckedIOException e) {
      return List.of("(unreadable: " + e + ")");
    }
  }

  /** Reads a growing log file incrementally, looking for one marker. */
  private static final class LogScan {
    private final Path file;
    private final String marker;
    private long position;
    private String carry = "";

    LogScan(Path file, String marker) {
      this.file = file;
      this.marker = marker;
    }

    boolean found() {
      if (!Files.exists(file)) {
        return false;
      }
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        long length = in.length();
        if (length <= position) {
          return false;
        }
        byte[] chunk = new byte[(int) Math.min(length - position, 1 << 20)];
        in.seek(position);
        in.readFully(chunk);
        position += chunk.length;
        String text = carry + new String(chunk, StandardCharsets.UTF_8);
        // Keep the end of this chunk: the marker may be split across two reads.
        carry = text.substring(Math.max(0, text.length() - marker.length()));
        return text.contains(marker);
      } catch (IOException e) {
        return false;
      }
    }
  }

  private static final class PortClashException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortClashException(String message) {
      super(message);
    }
  }

  /**
   * {@code --data-dir DIR [--port 9092]}: starts a broker, prints {@code Kafka ready at HOST:PORT}
   * and runs until SIGTERM/Ctrl-C, which stops the broker. Exits 1 if the broker dies on its own.
   */
  public static void main(String[] args) throws InterruptedException {
    Path dataDir = null;
    int port = 9092;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data-dir" -> dataDir = Path.of(value(args, ++i, "--data-dir"));
        case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
        case "-h", "--help" -> {
          System.out.println("usage: LocalKafka --data-dir DIR [--port 9092]");
          return;
        }
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (dataDir == null) {
      usage("--data-dir is required");
    }
    LocalKafka kafka;
    try {
      kafka = start(dataDir, port);
    } catch (LocalKafkaException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    Thread stopper = new Thread(kafka::close, "local-kafka-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    System.out.println("Kafka ready at " + kafka.bootstrapServers() + " (pid " + kafka.pid() + ", log "
        + kafka.logFile() + ")");
    System.out.flush();
    int exit = kafka.process.waitFor();
    try {
      Runtime.getRuntime().removeShutdownHook(stopper);
    } catch (IllegalStateException shuttingDown) {
      return; // our own SIGTERM: the hook is stopping the broker and the JVM exits after it
    }
    System.err.println("Broker exited on its own with code " + exit + ". " + kafka.failureReport());
    System.exit(1);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      usage(option + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println(problem + "\nusage: LocalKafka --data-dir DIR [--port 9092]");
    System.exit(2);
  }
}
