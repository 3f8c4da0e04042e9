package dev.silkroute.router;

import io.micronaut.runtime.Micronaut;

/** Starts the router: the OpenAI-compatible HTTP API in front of providers and workers. */
public final class RouterApplication {

  private RouterApplication() {
  }

  /** The JDK's setting for the common pool's size, read once, when the pool is first used. */
  static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  public static void main(String[] args) {
    // The JDK HttpClient hands each sendAsync answer to the common pool. With fewer than three cores
    // that pool has one thread, and CompletableFuture then starts a new thread per task instead: one
    // thread created per upstream answer, which cost the router more CPU than the request itself.
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    // Eager singletons: a bad catalog, setting or address fails start-up, not the first request.
    Micronaut.build(args).mainClass(RouterApplication.class).eagerInitSingletons(true).start();
  }
}
