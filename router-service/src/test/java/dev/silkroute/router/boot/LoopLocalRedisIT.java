package dev.silkroute.router.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real Redis: a command sent from a loop is answered on that loop, and nowhere else. */
class LoopLocalRedisIT {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> shared;
  private static EventLoopGroup server;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(Infra.redis().uri());
    shared = client.connect();
    // As the HTTP server's loops: epoll where Netty's native transport loads, as Lettuce then uses.
    server = new MultiThreadIoEventLoopGroup(2, Epoll.isAvailable() ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory());
  }

  @AfterAll
  static void disconnect() {
    shared.close();
    client.shutdown();
    server.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /**
   * Fifty commands sent in one task of a loop leave in about one socket write, not fifty: counted as
   * this process's write system calls (/proc/self/io), every thread's, so a little slack.
   */
  @Test
  void theCommandsOfOneTurnOfALoopLeaveInOneWrite() throws Exception {
    LoopLocalRedis redis = LoopLocalRedis.connect(server, RedisURI.create(Infra.redis().uri()), shared);
    try {
      EventExecutor loop = server.next();
      sendFifty(redis, loop).get(5, TimeUnit.SECONDS); // connections and classes warm
      long before = writeCalls();
      List<String> answers = sendFifty(redis, loop).get(5, TimeUnit.SECONDS);
      long writes = writeCalls() - before;

      assertThat(answers).hasSize(50).containsOnly("OK");
      assertThat(writes).as("write system calls for 50 commands").isLessThan(10);
    } finally {
      redis.close();
      shared.sync().del("silkroute:test:turn");
    }
  }

  private static CompletableFuture<List<String>> sendFifty(LoopLocalRedis redis, EventExecutor loop) {
    CompletableFuture<List<String>> all = new CompletableFuture<>();
    loop.execute(() -> {
      List<CompletableFuture<String>> sets = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        sets.add(redis.get().set("silkroute:test:turn", String.valueOf(i)).toCompletableFuture());
      }
      CompletableFuture.allOf(sets.toArray(CompletableFuture[]::new))
          .thenRun(() -> all.complete(sets.stream().map(CompletableFuture::join).toList()));
    });
    return all;
  }

  private static long writeCalls() throws java.io.IOException {
    return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/io")).stream()
        .filter(line -> line.startsWith("syscw:")).mapToLong(line -> Long.parseLong(line.substring(6).trim()))
        .findFirst().orElseThrow();
  }

  @Test
  void aCommandSentFromALoopIsAnsweredOnThatLoopAndOffTheLoopsOnTheSharedConnection() throws Exception {
    LoopLocalRedis redis = LoopLocalRedis.connect(server, RedisURI.create(Infra.redis().uri()), shared);
    try {
      List<EventExecutor> loops = new ArrayList<>();
      server.forEach(loops::add);
      for (EventExecutor loop : loops) {
        CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
        CompletableFuture<Thread> sentFrom = new CompletableFuture<>();
        loop.execute(() -> {
          sentFrom.complete(Thread.currentThread());
          redis.get().set("silkroute:test:loop-local", "1").thenRun(() -> answeredOn.complete(Thread.currentThread()));
        });
        assertThat(answeredOn.get(5, TimeUnit.SECONDS)).isSameAs(sentFrom.get());
      }

      assertThat(redis.get()).isSameAs(shared.async());
      Thread lettuceThread = redis.get().get("silkroute:test:loop-local").toCompletableFuture()
          .thenApply(value -> Thread.currentThread()).get(5, TimeUnit.SECONDS);
      assertThat(loops).noneMatch(loop -> loop.inEventLoop(lettuceThread));
    } finally {
      redis.close();
    }
    // The loops are the server's: closing the connections leaves them running.
    CompletableFuture<Boolean> stillRuns = new CompletableFuture<>();
    server.next().execute(() -> stillRuns.complete(true));
    assertThat(stillRuns).succeedsWithin(Duration.ofSeconds(2)).isEqualTo(true);
    assertThat(shared.sync().del("silkroute:test:loop-local")).isEqualTo(1);
  }
}
