package dev.silkroute.systemtests;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The floor under the router benchmark: a process that does nothing but pass bytes between a client
 * and provider-sim, on one Netty event loop, each client connection paired with one upstream
 * connection. What it adds is what any hop through a separate JVM process costs on this machine
 * (two socket reads and writes, a thread woken per read), with no HTTP parsing, Redis, Kafka or
 * routing; the router cannot add less. Run as its own process by {@link RouterOverheadBenchmark}.
 *
 * <p>Arguments: listen port, upstream host, upstream port.
 */
public final class TcpRelay {

  public static void main(String[] args) throws InterruptedException {
    int port = Integer.parseInt(args[0]);
    String upstreamHost = args[1];
    int upstreamPort = Integer.parseInt(args[2]);
    EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.AUTO_READ, false)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel client) {
            client.pipeline().addLast(new ClientSide(upstreamHost, upstreamPort));
          }
        })
        .bind("127.0.0.1", port).sync().channel().closeFuture().sync();
  }

  /** Opens the upstream connection on the client's own event loop, then reads from the client. */
  private static final class ClientSide extends ChannelInboundHandlerAdapter {
    private final String host;
    private final int port;
    private Channel upstream;

    ClientSide(String host, int port) {
      this.host = host;
      this.port = port;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      Channel client = ctx.channel();
      new Bootstrap().group(client.eventLoop()).channel(NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .handler(new Pipe(client))
          .connect(host, port).addListener((ChannelFutureListener) connected -> {
            if (connected.isSuccess()) {
              upstream = connected.channel();
              client.read();
            } else {
              client.close();
            }
          });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object bytes) {
      upstream.writeAndFlush(bytes).addListener((ChannelFutureListener) written -> {
        if (written.isSuccess()) {
          ctx.channel().read();
        } else {
          ctx.close();  // the upstream is gone: the client must not wait for an answer
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (upstream != null) {
        upstream.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Upstream to client: every byte provider-sim sends goes straight back. */
  private static final class Pipe extends ChannelInboundHandlerAdapter {
    private final Channel client;

    Pipe(Channel client) {
      this.client = client;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object bytes) {
      client.writeAndFlush(bytes);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
