package dev.silkroute.router;

import io.micronaut.runtime.Micronaut;

/** Starts the router: the OpenAI-compatible HTTP API in front of providers and workers. */
public final class RouterApplication {

  private RouterApplication() {
  }

  public static void main(String[] args) {
    // Eager singletons: a bad catalog, setting or address fails start-up, not the first request.
    Micronaut.build(args).mainClass(RouterApplication.class).eagerInitSingletons(true).start();
  }
}
