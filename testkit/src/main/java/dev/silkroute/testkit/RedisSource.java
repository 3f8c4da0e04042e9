package dev.silkroute.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Resolves the Redis for this JVM: env, then Testcontainers, then the server at 127.0.0.1:6379,
 * then a redis-server started on a free port.
 */
final class RedisSource {

  private static final String IMAGE = "redis:7-alpine";
  private static final String HOST = "127.0.0.1";
  private static final int DEFAULT_PORT = 6379;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private RedisSource() {}

  static RedisInstance resolve() {
    var fromEnv = Settings.get(Settings.REDIS_URI);
    if (fromEnv.isPresent()) {
      return new RedisInstance(URI.create(fromEnv.get()), "env " + Settings.REDIS_URI + "=" + fromEnv.get());
    }
    if (Docker.available()) {
      GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE)).withExposedPorts(6379);
      container.start();
      URI uri = URI.create("redis://" + container.getHost() + ":" + container.getMappedPort(6379));
      return new RedisInstance(uri, "Redis testcontainers " + IMAGE + " at " + uri);
    }
    if (answersPing(HOST, DEFAULT_PORT)) {
      URI uri = URI.create("redis://" + HOST + ":" + DEFAULT_PORT);
      return new RedisInstance(uri, "Redis at " + uri + " (already running)");
    }
    return startLocal();
  }

  /** True for a Redis that answers PING without a password (a NOAUTH error is no use to tests). */
  static boolean answersPing(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 1000);
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int read = in.readNBytes(reply, 0, reply.length);
      return new String(reply, 0, read, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  static RedisInstance startLocal() {
    Path redisServer = Binaries.find("redis-server", List.of()).orElseThrow(() -> new IllegalStateException(
        "No Redis for tests: nothing answers PING at " + HOST + ":" + DEFAULT_PORT + ", no Docker engine, and"
            + " redis-server is not on the PATH. Install Redis (e.g. apt-get install redis-server, brew install"
            + " redis) or set " + Settings.REDIS_URI + "=redis://host:port"));
    int port = FreePorts.pick();
    Path dir;
    try {
      dir = Files.createTempDirectory("silkroute-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a directory for redis-server", e);
    }
    Process process;
    try {
      // No persistence: a test server starts empty and leaves nothing behind.
      process = new ProcessBuilder(redisServer.toString(), "--port", Integer.toString(port), "--bind", HOST,
          "--save", "", "--appendonly", "no", "--dir", dir.toString())
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis.log").toFile())
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start " + redisServer, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop(process);
      Binaries.deleteRecursively(dir);
    }, "silkroute-testkit-redis-stop"));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!answersPing(HOST, port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        String log = tail(dir.resolve("redis.log"));
        stop(process);
        throw new IllegalStateException(redisServer + " on port " + port + " did not answer PING within "
            + START_TIMEOUT.toSeconds() + " s: " + log);
      }
      pause();
    }
    URI uri = URI.create("redis://" + HOST + ":" + port);
    return new RedisInstance(uri, "Redis at " + uri + " (started from " + redisServer + ", pid " + process.pid() + ")");
  }

  private static void stop(Process process) {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String tail(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for redis-server", e);
    }
  }
}
