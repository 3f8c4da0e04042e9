package dev.silkroute.router.boot;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection per event loop of the HTTP server, served by that loop itself. A request's
 * admission and settlement scripts then leave and come back on the thread the request already runs
 * on: Lettuce's own I/O thread used to take each command from the loop and hand its reply back,
 * two wake-ups of another thread per round trip, twice per request.
 *
 * <p>Each of these connections writes its commands once per turn of its loop: a request's command
 * is flushed after the loop's current task, together with every other command the requests of that
 * turn sent (Netty's {@link FlushConsolidationHandler}). Under load, one socket write then carries
 * many requests' admissions, settlements and generation records instead of one write each (a
 * write to a loopback socket costs the sender the receiver's side of TCP too); alone, a command
 * leaves as soon as its task ends.
 *
 * <p>{@link #get()} gives the calling loop's connection, and the shared one on any other thread.
 * Never wait on a command from a loop's connection on that loop: its reply is read by the very
 * thread that would be waiting. Only asynchronous callers use this.
 */
public final class LoopLocalRedis implements Supplier<RedisAsyncCommands<String, String>>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoopLocalRedis.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  private final EventExecutor[] loops;
  private final List<RedisAsyncCommands<String, String>> onLoop;
  private final List<StatefulRedisConnection<String, String>> connections;
  private final List<RedisClient> clients;
  private final List<ClientResources> resources;
  private final RedisAsyncCommands<String, String> elsewhere;

  private LoopLocalRedis(EventExecutor[] loops, List<StatefulRedisConnection<String, String>> connections,
                         List<RedisClient> clients, List<ClientResources> resources,
                         RedisAsyncCommands<String, String> elsewhere) {
    this.loops = loops;
    this.connections = connections;
    this.onLoop = connections.stream().map(StatefulRedisConnection::async).toList();
    this.clients = clients;
    this.resources = resources;
    this.elsewhere = elsewhere;
  }

  /**
   * Connects once per loop of {@code group}. Where a loop cannot take a Lettuce channel (another
   * transport than Lettuce's), every caller gets {@code elsewhere}, as before this class existed.
   */
  static LoopLocalRedis connect(EventLoopGroup group, RedisURI uri, StatefulRedisConnection<String, String> elsewhere) {
    List<EventExecutor> loops = new ArrayList<>();
    group.forEach(loops::add);
    List<StatefulRedisConnection<String, String>> connections = new ArrayList<>();
    List<RedisClient> clients = new ArrayList<>();
    List<ClientResources> resources = new ArrayList<>();
    LoopLocalRedis redis = new LoopLocalRedis(new EventExecutor[0], List.of(), clients, resources, elsewhere.async());
    try {
      for (EventExecutor loop : loops) {
        ClientResources onThisLoop = DefaultClientResources.builder()
            .eventLoopGroupProvider(new OneLoop((EventLoop) loop))
            .nettyCustomizer(new FlushOncePerTurn())
            .build();
        resources.add(onThisLoop);
        RedisClient client = RedisClient.create(onThisLoop, uri);
        clients.add(client);
        connections.add(client.connect());
      }
    } catch (RuntimeException e) {
      LOG.warn("Redis connections on the HTTP event loops are not possible here; using the shared one", e);
      redis.close();
      return new LoopLocalRedis(new EventExecutor[0], List.of(), List.of(), List.of(), elsewhere.async());
    }
    return new LoopLocalRedis(loops.toArray(EventExecutor[]::new), connections, clients, resources,
        elsewhere.async());
  }

  /** The calling event loop's connection, or the shared one off the loops. */
  @Override
  public RedisAsyncCommands<String, String> get() {
    for (int i = 0; i < loops.length; i++) {
      if (loops[i].inEventLoop()) {
        return onLoop.get(i);
      }
    }
    return elsewhere;
  }

  @Override
  public void close() {
    // The loops are the HTTP server's: they are released, never shut down, by these clients.
    connections.forEach(connection -> quietly(connection::close));
    clients.forEach(client -> quietly(() -> client.shutdown(Duration.ZERO, CLOSE_TIMEOUT)));
    resources.forEach(resource -> quietly(() -> resource.shutdown(0, CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
  }

  private static void quietly(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      LOG.debug("closing a loop-local Redis connection", e);
    }
  }

  /**
   * Holds a channel's flushes until its loop's current task ended (and while it reads, until the
   * read completed), then flushes once; at most {@value #FLUSH_AT_MOST_AFTER} writes wait.
   */
  private static final class FlushOncePerTurn implements NettyCustomizer {

    private static final int FLUSH_AT_MOST_AFTER = 256;

    @Override
    public void afterChannelInitialized(Channel channel) {
      // Last in the pipeline: the first handler a command's write and flush pass on their way out.
      channel.pipeline().addLast(new FlushConsolidationHandler(FLUSH_AT_MOST_AFTER, true));
    }
  }

  /** Gives Lettuce one loop to put its channel on, and never shuts it down. */
  private record OneLoop(EventLoop loop) implements EventLoopGroupProvider {

    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loop; // an EventLoop is a group of itself; Lettuce keeps it as an EventLoopGroup
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(Boolean.TRUE);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(Boolean.TRUE);
    }
  }
}
