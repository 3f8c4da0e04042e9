package dev.silkroute.router;

import io.micronaut.runtime.Micronaut;

/** Starts the router: the OpenAI-compatible HTTP API in front of providers and workers. */
public final class RouterApplication {

  private RouterApplication() {
  }

  /** The JDK's setting for the common pool's size, read once, when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // With fewer than three cores the common pool has one thread, and CompletableFuture's *Async
    // methods without an executor then start a new thread per task. Upstream answers no longer go
    // there (the Netty transport answers on the request's event loop); this guards what else might.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    // Eager singletons: a bad catalog, setting or address fails start-up, not the first request.
    Micronaut.build(args).mainClass(RouterApplication.class).eagerInitSingletons(true).start();
  }
}
