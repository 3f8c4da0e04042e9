package dev.silkroute.worker.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** The worker's gRPC server. Takes a {@link ServerBuilder}, so tests run it in-process. */
public final class WorkerGrpcServer implements AutoCloseable {
  private final Server server;
  private volatile boolean started;

  public WorkerGrpcServer(ServerBuilder<?> builder, BindableService service) {
    this.server = builder.addService(service).build();
  }

  public WorkerGrpcServer start() {
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the worker gRPC server: " + e.getMessage(), e);
    }
    started = true;
    return this;
  }

  /** The bound port (-1 for in-process servers). */
  public int port() {
    return server.getPort();
  }

  public boolean serving() {
    return started && !server.isShutdown();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
