package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.models.ModelListing;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * The router's gRPC server. Takes its {@link ServerBuilder} so production binds Netty to a port and
 * tests use an in-process transport with the same service and interceptors.
 */
public final class RouterGrpcServer implements AutoCloseable {

  private final Server server;

  RouterGrpcServer(ServerBuilder<?> builder, BindableService service, BearerAuth auth) {
    this.server = builder.addService(ServerInterceptors.intercept(service, auth)).build();
  }

  /** The Router service, authenticated by API key, on the transport {@code builder} makes. */
  public static RouterGrpcServer serving(ServerBuilder<?> builder, ApiKeys keys, ChatRequestParser parser,
                                         ChatRouter router, ModelListing models, ObjectMapper json) {
    return new RouterGrpcServer(builder, new RouterService(parser, router, models, json), new BearerAuth(keys));
  }

  public RouterGrpcServer start() {
    try {
      server.start();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException("the Router gRPC server could not start: " + e.getMessage(), e);
    }
  }

  /** The bound port (the real one when the configured port was 0); -1 for an in-process server. */
  public int port() {
    return server.getPort();
  }

  /** Stops taking calls, lets running ones finish for a few seconds, then cancels the rest. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
