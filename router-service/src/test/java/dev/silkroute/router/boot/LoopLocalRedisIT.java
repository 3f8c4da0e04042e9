package dev.silkroute.router.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
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
    server = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()); // as the HTTP server's loops
  }

  @AfterAll
  static void disconnect() {
    shared.close();
    client.shutdown();
    server.shutdownGracefully(0, 1, TimeUnit.SECONDS);
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
