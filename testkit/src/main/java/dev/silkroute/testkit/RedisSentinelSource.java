package dev.silkroute.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis behind a Sentinel, for the tests of {@code redis-sentinel://} URIs: a redis-server master of
 * its own (never the shared one) and one sentinel monitoring it as {@value #MASTER}, both started from
 * the machine's {@code redis-server} on free ports and stopped with the JVM.
 */
final class RedisSentinelSource {

  /** The master's name the sentinel knows it by: the URI's fragment. */
  static final String MASTER = "silkroute";
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

  private RedisSentinelSource() {}

  static RedisInstance start() {
    RedisInstance master = RedisSource.startLocal();
    Path redisServer = Binaries.find("redis-server", List.of())
        .orElseThrow(() -> new IllegalStateException("redis-server is not on the PATH: no Sentinel for tests"));
    int port = FreePorts.pick();
    Path dir;
    Process process;
    try {
      dir = Files.createTempDirectory("silkroute-sentinel-");
      // The sentinel rewrites its configuration file: it gets one of its own.
      Path conf = Files.writeString(dir.resolve("sentinel.conf"), String.join("\n",
          "port " + port,
          "bind " + HOST,
          "dir " + dir,
          "sentinel monitor " + MASTER + " " + master.host() + " " + master.port() + " 1",
          ""));
      process = new ProcessBuilder(redisServer.toString(), conf.toString(), "--sentinel")
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve("sentinel.log").toFile())
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start a Redis Sentinel from " + redisServer, e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      process.destroy();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Binaries.deleteRecursively(dir);
    }, "silkroute-testkit-sentinel-stop"));
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (!RedisSource.answersPing(HOST, port)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("Redis Sentinel on port " + port + " did not answer PING within "
            + START_TIMEOUT.toSeconds() + " s; see " + dir.resolve("sentinel.log"));
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Redis Sentinel", e);
      }
    }
    URI uri = URI.create("redis-sentinel://" + HOST + ":" + port + "#" + MASTER);
    return new RedisInstance(uri, "Redis Sentinel at " + uri + " (pid " + process.pid() + ") for the master "
        + master.uri() + " (" + master.description() + ")");
  }
}
