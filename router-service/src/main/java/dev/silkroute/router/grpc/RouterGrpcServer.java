package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.embeddings.EmbeddingRequestParser;
import dev.silkroute.router.embeddings.Embedder;
import dev.silkroute.router.models.ModelListing;
import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router's gRPC server. Takes its {@link ServerBuilder} so production binds Netty to a port and
 * tests use an in-process transport with the same service and interceptors.
 */
public final class RouterGrpcServer implements AutoCloseable {

  private final Server server;
  private final ExecutorService calls;

  RouterGrpcServer(ServerBuilder<?> builder, BindableService service, BearerAuth auth, ExecutorService calls) {
    this.server = builder.executor(calls).addService(ServerInterceptors.intercept(service, auth)).build();
    this.calls = calls;
  }

  /**
   * The Router service, authenticated by API key, on the transport {@code builder} makes. The server
   * runs its calls' callbacks on an executor of its own, and each request's work between Redis
   * replies and upstream events continues there too (see {@link RouterService}).
   */
  public static RouterGrpcServer serving(ServerBuilder<?> builder, ApiKeys keys, ChatRequestParser parser,
                                         ChatRouter router, EmbeddingRequestParser embeddingParser, Embedder embedder,
                                         ModelListing models, ObjectMapper json) {
    ExecutorService calls = callThreads();
    return new RouterGrpcServer(builder, new RouterService(parser, router, embeddingParser, embedder, models, json,
        calls),
        new BearerAuth(keys), calls);
  }

  /**
   * Cached, as gRPC's default executor is: a thread may wait in a call's callbacks (the key lookup on a
   * cache miss, a usage event handed over while Kafka is away), and a bounded pool would make every
   * other call wait behind it. Idle threads go after a minute.
   */
  private static ExecutorService callThreads() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "grpc-call-" + n.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
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

  /**
   * Stops taking calls, lets running ones finish for a few seconds, then cancels the rest. What is
   * left of a cancelled request (its settlement) still runs: on the executor while it drains, then
   * inline on whichever thread gets there ({@link ChatRouter#orInline}).
   */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      }
      calls.shutdown();
      calls.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      server.shutdownNow();
      calls.shutdown();
      Thread.currentThread().interrupt();
    }
  }
}
