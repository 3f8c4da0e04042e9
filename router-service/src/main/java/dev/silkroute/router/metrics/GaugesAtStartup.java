package dev.silkroute.router.metrics;

import io.micronaut.context.BeanProvider;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;

/** Creates the router's gauges once the server is up, when the publisher and the board exist. */
@Singleton
final class GaugesAtStartup {

  private final BeanProvider<RouterGauges> gauges;

  GaugesAtStartup(BeanProvider<RouterGauges> gauges) {
    this.gauges = gauges;
  }

  @EventListener
  void onStartup(ServerStartupEvent event) {
    gauges.get();
  }
}
