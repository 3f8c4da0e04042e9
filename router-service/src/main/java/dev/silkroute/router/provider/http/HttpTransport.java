package dev.silkroute.router.provider.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * The router's one HTTP/1.1 client for upstreams, on Netty, without a thread of its own: an exchange
 * runs on the event loop of the thread that starts it (the HTTP request's own loop, so the call, its
 * answer and the reply to the client never change threads), or on one of the group's loops for a
 * caller off the group.
 *
 * <p>Connections are kept alive and pooled per event loop and origin, so a pool is only ever touched
 * by its own loop and needs no lock. A pooled connection is used for at most {@code idleTimeout}
 * after its last answer. A pooled connection that turns out closed (the upstream closed it while it
 * was idle, and the close crossed our request) is retried once on a new connection, but only while
 * no byte of an answer came back: after a byte, the upstream may have acted on the request.
 */
public final class HttpTransport implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Class<? extends Channel> channelType;
  private final UpstreamHttpSettings settings;
  private final EventLoop[] loops;
  private final Map<EventExecutor, Pools> pools = new IdentityHashMap<>();
  private final List<ScheduledFuture<?>> sweeps = new ArrayList<>();
  private volatile SslContext ssl;

  /** @param channelType the socket channel class that matches {@code group}'s transport (NIO, epoll) */
  public HttpTransport(EventLoopGroup group, Class<? extends Channel> channelType, UpstreamHttpSettings settings) {
    this(group, false, channelType, settings);
  }

  private HttpTransport(EventLoopGroup group, boolean ownsGroup, Class<? extends Channel> channelType,
                        UpstreamHttpSettings settings) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.channelType = channelType;
    this.settings = settings;
    List<EventLoop> all = new ArrayList<>();
    long sweepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100), settings.idleTimeout().toNanos() / 2);
    for (EventExecutor executor : group) {
      EventLoop loop = (EventLoop) executor;
      all.add(loop);
      Pools loopPools = new Pools();
      pools.put(loop, loopPools);
      sweeps.add(loop.scheduleAtFixedRate(loopPools::closeExpired, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS));
    }
    this.loops = all.toArray(EventLoop[]::new);
  }

  /** A transport on its own NIO event loops (tests, tools); closing it stops them. */
  public static HttpTransport withOwnLoops(int threads, UpstreamHttpSettings settings) {
    return new HttpTransport(new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory()), true,
        NioSocketChannel.class, settings);
  }

  /**
   * Starts {@code request}; {@code listener} hears the answer on the exchange's event loop. Never
   * blocks and never calls the listener before it returns.
   */
  public Exchange send(UpstreamRequest request, ResponseListener listener) {
    EventLoop loop = loopOfCaller();
    Call call = new Call(loop, request, listener, Origin.of(request.uri()));
    if (loop.inEventLoop()) {
      call.start();
    } else {
      loop.execute(call::start);
    }
    return call;
  }

  @Override
  public void close() {
    sweeps.forEach(sweep -> sweep.cancel(false));
    for (Map.Entry<EventExecutor, Pools> loopPools : pools.entrySet()) {
      loopPools.getKey().execute(loopPools.getValue()::closeAll);
    }
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private EventLoop loopOfCaller() {
    for (EventLoop loop : loops) {
      if (loop.inEventLoop()) {
        return loop;
      }
    }
    return group.next();
  }

  private SslContext ssl() throws SSLException {
    SslContext context = ssl;
    if (context == null) {
      synchronized (this) {
        if (ssl == null) {
          ssl = SslContextBuilder.forClient().build();
        }
        context = ssl;
      }
    }
    return context;
  }

  /** Where connections go: scheme, host and port. */
  private record Origin(boolean tls, String host, int port) {

    static Origin of(URI uri) {
      boolean tls = "https".equalsIgnoreCase(uri.getScheme());
      if (!tls && !"http".equalsIgnoreCase(uri.getScheme())) {
        throw new IllegalArgumentException("not an http(s) address: " + uri);
      }
      int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
      return new Origin(tls, uri.getHost(), port);
    }

    String hostHeader() {
      return port == (tls ? 443 : 80) ? host : host + ":" + port;
    }
  }

  /** One event loop's idle connections, by origin; only that loop touches it. */
  private final class Pools {

    private final Map<Origin, ArrayDeque<Connection>> idle = new HashMap<>();

    /** The most recently used live connection to {@code origin}, or null. */
    Connection take(Origin origin) {
      ArrayDeque<Connection> connections = idle.get(origin);
      if (connections == null) {
        return null;
      }
      long now = System.nanoTime();
      Connection connection;
      while ((connection = connections.pollLast()) != null) {
        if (connection.channel.isActive() && !connection.expired(now)) {
          return connection;
        }
        connection.channel.close();
      }
      return null;
    }

    void give(Connection connection) {
      ArrayDeque<Connection> connections = idle.computeIfAbsent(connection.origin, o -> new ArrayDeque<>());
      if (connections.size() >= settings.maxIdlePerOrigin()) {
        connection.channel.close();
        return;
      }
      connection.idleSince = System.nanoTime();
      connections.addLast(connection);
    }

    void remove(Connection connection) {
      ArrayDeque<Connection> connections = idle.get(connection.origin);
      if (connections != null) {
        connections.remove(connection);
      }
    }

    void closeExpired() {
      long now = System.nanoTime();
      for (ArrayDeque<Connection> connections : idle.values()) {
        // Oldest first: once one is fresh, the rest are fresher.
        Connection oldest;
        while ((oldest = connections.peekFirst()) != null && oldest.expired(now)) {
          connections.pollFirst().channel.close();
        }
      }
    }

    void closeAll() {
      idle.values().forEach(connections -> connections.forEach(connection -> connection.channel.close()));
      idle.clear();
    }
  }

  /** One connection and the exchange it carries, if any; its handlers run on its loop only. */
  private final class Connection extends ChannelInboundHandlerAdapter {

    private final Origin origin;
    private final Pools pools;
    private Channel channel;
    private Call current;
    private long idleSince;
    private Throwable failure;

    Connection(Origin origin, Pools pools) {
      this.origin = origin;
      this.pools = pools;
    }

    boolean expired(long now) {
      return now - idleSince > settings.idleTimeout().toNanos();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      Call call = current;
      try {
        if (call != null) {
          call.read(this, message);
        } else {
          ctx.close(); // an answer nobody asked for: the connection is out of step
        }
      } finally {
        ReferenceCountUtil.release(message);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      failure = cause;
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Call call = current;
      current = null;
      if (call != null) {
        call.connectionLost(failure);
      } else {
        pools.remove(this);
      }
    }
  }

  /** Notes that bytes of an answer arrived (decrypted, before HTTP decoding): a retry is no longer safe. */
  private static final class ByteWatch extends ChannelInboundHandlerAdapter {

    private final Connection connection;

    ByteWatch(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      Call call = connection.current;
      if (call != null) {
        call.bytesArrived = true;
      }
      ctx.fireChannelRead(message);
    }
  }

  /** One exchange; every field is touched on its loop only. */
  private final class Call implements Exchange {

    private final EventLoop loop;
    private final UpstreamRequest request;
    private final ResponseListener listener;
    private final Origin origin;
    private Connection connection;
    private ScheduledFuture<?> headTimer;
    private boolean reused;
    private boolean retried;
    boolean bytesArrived;
    private boolean responded;
    private boolean keepAlive;
    private boolean done;

    Call(EventLoop loop, UpstreamRequest request, ResponseListener listener, Origin origin) {
      this.loop = loop;
      this.request = request;
      this.listener = listener;
      this.origin = origin;
    }

    void start() {
      if (done) {
        return; // cancelled before it started
      }
      headTimer = loop.schedule(this::headTimedOut, request.headersTimeout().toNanos(), TimeUnit.NANOSECONDS);
      Connection pooled = pools.get(loop).take(origin);
      if (pooled != null) {
        reused = true;
        write(pooled);
      } else {
        connect();
      }
    }

    private void connect() {
      Pools loopPools = pools.get(loop);
      Connection fresh = new Connection(origin, loopPools);
      ChannelFuture connecting;
      try {
        SslContext tls = origin.tls() ? ssl() : null;
        connecting = new Bootstrap().group(loop).channel(channelType)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel channel) {
                fresh.channel = channel;
                if (tls != null) {
                  SSLEngine engine = tls.newEngine(channel.alloc(), origin.host(), origin.port());
                  SSLParameters parameters = engine.getSSLParameters();
                  parameters.setEndpointIdentificationAlgorithm("HTTPS");
                  engine.setSSLParameters(parameters);
                  channel.pipeline().addLast(new SslHandler(engine));
                }
                channel.pipeline().addLast(new ByteWatch(fresh), new HttpClientCodec(), fresh);
              }
            })
            .connect(origin.host(), origin.port());
      } catch (SSLException | RuntimeException e) {
        loop.execute(() -> fail(e));
        return;
      }
      connecting.addListener(connected -> {
        if (!connected.isSuccess()) {
          Throwable cause = connected.cause();
          // Later, never inside send(): a connect can fail at once.
          loop.execute(() -> fail(cause instanceof IOException ? cause
              : new IOException("cannot connect to " + origin.hostHeader() + ": " + cause, cause)));
        } else if (done) {
          loopPools.give(fresh); // abandoned while connecting: the new connection is still good
        } else {
          write(fresh);
        }
      });
    }

    private void write(Connection target) {
      connection = target;
      target.current = this;
      target.failure = null;
      FullHttpRequest http = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST,
          pathOf(request.uri()), Unpooled.wrappedBuffer(request.body()));
      http.headers().set(HttpHeaderNames.HOST, origin.hostHeader())
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
      request.headers().forEach(http.headers()::set);
      target.channel.writeAndFlush(http).addListener(written -> {
        if (!written.isSuccess()) {
          target.failure = written.cause();
          target.channel.close(); // its channelInactive ends or retries the call
        }
      });
    }

    void read(Connection from, Object message) {
      if (done) {
        return;
      }
      if (message instanceof HttpResponse head) {
        if (head.decoderResult().isFailure()) {
          from.failure = head.decoderResult().cause();
          from.channel.close();
          return;
        }
        responded = true;
        headTimer.cancel(false);
        keepAlive = HttpUtil.isKeepAlive(head);
        listener.onHead(this, head.status().code(), head.headers());
      }
      if (message instanceof HttpContent content && !done) {
        if (content.decoderResult().isFailure()) {
          from.failure = content.decoderResult().cause();
          from.channel.close();
          return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
          done = true;
          from.current = null;
          connection = null;
          if (keepAlive && from.channel.isActive()) {
            pools.get(loop).give(from);
          } else {
            from.channel.close();
          }
        }
        listener.onContent(this, content.content(), last);
      }
    }

    /** The connection closed under the exchange: retried once if it was a stale pooled one, else failed. */
    void connectionLost(Throwable cause) {
      connection = null;
      if (done) {
        return;
      }
      if (reused && !retried && !bytesArrived) {
        retried = true;
        reused = false;
        connect();
        return;
      }
      fail(cause instanceof IOException ? cause : new IOException(responded
          ? "connection closed before the answer ended" : "connection closed before an answer", cause));
    }

    private void headTimedOut() {
      if (responded || done) {
        return;
      }
      fail(new HttpTimeoutException("no answer within " + request.headersTimeout().toMillis() + " ms"));
    }

    private void fail(Throwable error) {
      if (done) {
        return;
      }
      end();
      listener.onError(this, error);
    }

    @Override
    public void cancel(Runnable then) {
      if (loop.inEventLoop()) {
        end();
        if (then != null) {
          then.run();
        }
      } else {
        loop.execute(() -> {
          end();
          if (then != null) {
            then.run();
          }
        });
      }
    }

    /** No further callback; the connection, if any, is closed (mid-answer it cannot be reused). */
    private void end() {
      if (done) {
        return;
      }
      done = true;
      if (headTimer != null) {
        headTimer.cancel(false);
      }
      Connection open = connection;
      connection = null;
      if (open != null) {
        open.current = null;
        open.channel.close();
      }
    }
  }

  private static String pathOf(URI uri) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
  }
}
