package dev.silkroute.worker;

import io.micronaut.runtime.Micronaut;

/** Starts a worker: gRPC Worker service, Redis heartbeat, and /health + /prometheus over HTTP. */
public final class WorkerApplication {
  private WorkerApplication() {}

  public static void main(String[] args) {
    // Micronaut's shutdown hook closes the context on SIGTERM, which drains the worker (Worker#stop).
    Micronaut.run(WorkerApplication.class, args);
  }
}
