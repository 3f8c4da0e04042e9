package dev.silkroute.worker;

import io.micronaut.runtime.Micronaut;
import java.util.Map;

/** Starts a worker: gRPC Worker service, Redis heartbeat, and /health + /prometheus over HTTP. */
public final class WorkerApplication {
  /**
   * The worker's Micronaut beans start only where this is true. The application sets it; it is not
   * in application.yml, so that another service with this jar on its (test) classpath, such as the
   * router's tests that run real workers, does not start a worker on port 9091 in its own context.
   */
  static final String ENABLED = "silkroute.worker.enabled";

  private WorkerApplication() {}

  public static void main(String[] args) {
    // Micronaut's shutdown hook closes the context on SIGTERM, which drains the worker (Worker#stop).
    Micronaut.build(args).mainClass(WorkerApplication.class).properties(Map.of(ENABLED, "true")).start();
  }
}
