package dev.silkroute.systemtests;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator: requests leave at a fixed rate whatever the answers do, and
 * latency counts from when a request was due, so a slow server cannot slow the sender down and hide
 * its queue. One Netty event loop thread does all the I/O over a pool of keep-alive connections (one
 * request in flight per connection, a new connection when all are busy, up to
 * {@code silkroute.bench.max-connections}, default 256); the sender thread only sleeps until each
 * due time. A fixed-rate step opens {@code silkroute.bench.preconnect} connections (default 64)
 * before its clock starts, as wrk and wrk2 open theirs: a client's pool is open when its traffic
 * comes, and without it every step began with a burst of new connections, which on this machine
 * held the router's first answers 13-56 ms and made all of its p99 at 2,000/s. Past the cap a
 * request waits in this generator for the next free connection, as in wrk2 or a client SDK's
 * pool, and its latency still counts from when it was due: a server that falls behind shows as
 * latency, not as thousands of new connections (which on this machine ran the generator and the
 * router out of file descriptors and measured connection set-up, not the path). It shares the cores with what it measures, so it is built to cost little: the JDK
 * HttpClient it replaced spent about as much CPU per request as the router did.
 */
final class LoadGenerator implements AutoCloseable {

  /**
   * One step's outcome: p50 and p99 latency (or time to the first {@code data:} line) in nanos over
   * the answered requests, how many were sent, how many failed (non-200, broken, no data line), and
   * the rate at which answers actually arrived, and how late this generator itself wrote its
   * requests (p99 of write time minus due time: when it is large, the generator was the limit).
   */
  record Step(long p50, long p99, long sent, long failed, double answeredPerSecond, long lateP99) {
  }

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final int maxConnections = Integer.getInteger("silkroute.bench.max-connections", 256);
  private final int preconnect = Math.min(maxConnections, Integer.getInteger("silkroute.bench.preconnect", 64));
  // The first body seen per port and failing status: what went wrong, not just how often.
  private final Map<String, String> failures = new ConcurrentHashMap<>();

  Map<String, String> failures() {
    return failures;
  }

  /**
   * Sends {@code rate} requests a second for {@code seconds}, streamed or not, over the connections
   * opened first and more as needed, and waits for the answers.
   */
  Step run(URI uri, String body, String bearer, int rate, int seconds, boolean stream) throws InterruptedException {
    int total = rate * seconds;
    Run run = new Run(uri, request(uri, body, bearer), stream, total, 0);
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    CountDownLatch ready = new CountDownLatch(preconnect);
    for (int i = 0; i < preconnect; i++) {
      group.execute(() -> run.preconnect(ready));
    }
    ready.await(10, TimeUnit.SECONDS);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      group.execute(() -> run.send(due));
    }
    boolean finished = run.done.await(60, TimeUnit.SECONDS);
    return outcome(run, start, System.nanoTime(), total, finished, "at " + rate + "/s");
  }

  /**
   * Closed loop: {@code connections} requests in flight, each answered one followed at once by the
   * next on its connection, for {@code seconds}: the most the target sustains (latency counts from
   * each send). The answered rate is the result; it is only the target's limit while this
   * generator's one thread is not itself saturated (compare its CPU to the step's length).
   */
  Step closedLoop(URI uri, String body, String bearer, int connections, int seconds, boolean stream)
      throws InterruptedException {
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    // Room for 200,000 answers a second: far above what this machine can do.
    int capacity = (int) Math.min(Integer.MAX_VALUE - 8, 200_000L * seconds);
    Run run = new Run(uri, request(uri, body, bearer), stream, capacity, end);
    for (int i = 0; i < connections; i++) {
      group.execute(() -> run.send(System.nanoTime()));
    }
    long wait;
    while ((wait = end - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
    // Those still in flight at the end finish (or not) within 10 s; nothing new starts after the end.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (run.completed.get() < run.started.get() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    long sent = run.started.get();
    return outcome(run, start, end, (int) sent, run.completed.get() == sent, "with " + connections + " connections");
  }

  /** The step's percentiles and rates; {@code how} names its load in messages. */
  private Step outcome(Run run, long start, long stop, int total, boolean finished, String how)
      throws InterruptedException {
    group.submit(run::closeAll).sync();
    run.request.release();
    double elapsed = (stop - start) / 1e9;
    long[] sorted;
    synchronized (run) {
      sorted = Arrays.copyOf(run.latencies, run.answered);
    }
    String latencyLog = System.getProperty("silkroute.bench.latency-log");
    if (latencyLog != null) {
      // The step's start in wall-clock milliseconds, to line its answers up with another process's
      // log (a router's -Xlog:gc with the timemillis decorator).
      long startMillis = System.currentTimeMillis() - (System.nanoTime() - start) / 1_000_000;
      appendLatencies(Path.of(latencyLog), "# " + run.uri + " " + how + " stream " + run.stream
          + " start-epoch-ms " + startMillis, run, start);
    }
    Arrays.sort(sorted);
    if (!finished || sorted.length < total * 0.99) {
      System.out.printf("  (only %d of %d requests answered %s)%n", sorted.length, total, how);
    }
    long[] late = Arrays.copyOf(run.late, run.writes); // the event loop is done with the run
    Arrays.sort(late);
    long lateP99 = late.length == 0 ? 0 : late[(int) (late.length * 0.99)];
    if (sorted.length == 0) {
      return new Step(0, 0, total, total, 0, lateP99);
    }
    return new Step(sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)], total,
        total - sorted.length, sorted.length / elapsed, lateP99);
  }

  /**
   * Every answer's due time (µs into the step), latency (µs) and how late this generator wrote it
   * (µs), one line each under a heading: to
   * see whether slow answers come in bursts (a pause: GC, a descheduled thread) or spread out.
   */
  private static void appendLatencies(Path file, String heading, Run run, long start) {
    StringBuilder lines = new StringBuilder(heading).append('\n');
    synchronized (run) {
      for (int i = 0; i < run.answered; i++) {
        lines.append((run.dues[i] - start) / 1000).append(' ').append(run.latencies[i] / 1000).append(' ')
            .append(run.sentLate[i] / 1000).append('\n');
      }
    }
    try {
      Files.writeString(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FullHttpRequest request(URI uri, String body, String bearer) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri.getRawPath(),
        content);
    request.headers().set(HttpHeaderNames.HOST, uri.getHost() + ":" + uri.getPort())
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (bearer != null) {
      request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
    }
    return request;
  }

  /** One step's requests and their outcomes. Everything but the final read runs on the event loop thread. */
  private final class Run {

    final URI uri;
    final FullHttpRequest request;
    final boolean stream;
    final long[] latencies;
    final long[] dues;
    final long[] sentLate; // per answer: how late this generator wrote it (for the latency log)
    final long[] late;
    int writes; // event loop only
    final CountDownLatch done;
    final ArrayDeque<Channel> idle = new ArrayDeque<>();
    // Due times of requests waiting for a connection (all were busy, and no more may be opened).
    final ArrayDeque<Long> waiting = new ArrayDeque<>();
    int open; // connections opened or opening, not yet closed
    final Bootstrap bootstrap;
    // Closed loop only: when to stop starting requests (0: open loop), how many started and ended.
    final long closedUntil;
    final AtomicLong started = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    int answered;

    Run(URI uri, FullHttpRequest request, boolean stream, int total, long closedUntil) {
      this.uri = uri;
      this.request = request;
      this.stream = stream;
      this.latencies = new long[total];
      this.dues = new long[total];
      this.sentLate = new long[total];
      this.late = new long[total];
      this.done = new CountDownLatch(total);
      this.closedUntil = closedUntil;
      this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(new HttpClientCodec(), new Exchange());
            }
          });
    }

    void send(long due) {
      started.incrementAndGet();
      if (writes < late.length) {
        late[writes++] = System.nanoTime() - due; // this generator's own lateness, not the queue's
      }
      Channel channel;
      while ((channel = idle.poll()) != null && !channel.isActive()) {
        // closed by the server while idle: drop it
      }
      if (channel != null) {
        write(channel, due);
      } else if (open < maxConnections) {
        connect(due);
      } else {
        waiting.add(due);
      }
    }

    /** A connection opened before the step's clock starts, idle until a request takes it. */
    void preconnect(CountDownLatch ready) {
      open++;
      bootstrap.connect(uri.getHost(), uri.getPort()).addListener(connected -> {
        if (connected.isSuccess()) {
          Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
          channel.closeFuture().addListener(closed -> connectionClosed());
          idle.push(channel);
        } else {
          open--;
        }
        ready.countDown();
      });
    }

    private void connect(long due) {
      open++;
      bootstrap.connect(uri.getHost(), uri.getPort()).addListener(connected -> {
        if (connected.isSuccess()) {
          Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
          channel.closeFuture().addListener(closed -> connectionClosed());
          write(channel, due);
        } else {
          connectionClosed();
          failed("connect", connected.cause().toString());
          ended();
        }
      });
    }

    /** A connection closed: one more may be opened, for a request that waits if there is one. */
    private void connectionClosed() {
      open--;
      Long due = waiting.poll();
      if (due != null) {
        connect(due);
      }
    }

    /** A connection is free again: the longest-waiting request takes it, or it waits in the pool. */
    private void free(Channel channel) {
      Long due = waiting.poll();
      if (due != null) {
        write(channel, due);
      } else {
        idle.push(channel);
      }
    }

    void write(Channel channel, long due) {
      channel.pipeline().get(Exchange.class).begin(due);
      channel.writeAndFlush(request.retainedDuplicate());
    }

    synchronized void answered(long due, long sent) {
      if (answered < latencies.length) {
        dues[answered] = due;
        sentLate[answered] = sent - due;
        latencies[answered++] = System.nanoTime() - due;
      }
      done.countDown();
    }

    void failed(String status, String detail) {
      failures.putIfAbsent(uri.getPort() + " " + status, detail);
      done.countDown();
    }

    /** Closed loop: a connection's exchange ended (answered or not); the next request leaves at once. */
    void ended() {
      completed.incrementAndGet();
      if (closedUntil != 0) {
        long now = System.nanoTime();
        if (now - closedUntil < 0) {
          send(now);
        }
      }
    }

    void closeAll() {
      waiting.clear(); // the step is over: what still waits was never sent, and counts as unanswered
      idle.forEach(Channel::close);
      idle.clear();
    }

    /** One connection's current request: its due time, the answer's status, and whether it counted yet. */
    private final class Exchange extends SimpleChannelInboundHandler<HttpObject> {

      private long due = -1;
      private long sent;
      private int status;
      private boolean keepAlive;
      private boolean counted;
      private final StringBuilder seen = new StringBuilder();

      void begin(long due) {
        this.due = due;
        sent = System.nanoTime();
        status = 0;
        counted = false;
        seen.setLength(0);
      }

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (message instanceof HttpResponse response) {
          status = response.status().code();
          keepAlive = HttpUtil.isKeepAlive(response);
        }
        if (message instanceof HttpContent content) {
          if (!counted && (status != 200 || stream) && seen.length() < 4096) {
            seen.append(content.content().toString(StandardCharsets.UTF_8));
          }
          if (!counted && status == 200 && stream && seen.indexOf("data: {") >= 0) {
            counted = true;
            answered(due, sent);
          }
          if (content instanceof LastHttpContent) {
            if (!counted) {
              if (status == 200 && !stream) {
                answered(due, sent);
              } else {
                failed("HTTP " + status, seen.length() > 300 ? seen.substring(0, 300) : seen.toString());
              }
            }
            due = -1;
            if (keepAlive) {
              free(ctx.channel());
            } else {
              ctx.close();
            }
            ended();
          }
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        brokenOff("connection closed mid-answer");
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        brokenOff(cause.toString());
        ctx.close();
      }

      private void brokenOff(String why) {
        if (due >= 0) {
          due = -1;
          if (!counted) {
            failed("broken", why);
          }
          ended();
        }
      }
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
