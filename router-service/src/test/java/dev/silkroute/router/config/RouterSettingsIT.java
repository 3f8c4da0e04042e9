package dev.silkroute.router.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.testkit.Infra;
import io.micronaut.context.ApplicationContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The router's settings bind in a real context, and a bad one stops it, naming the property and the value. */
class RouterSettingsIT {

  private static RouterSettings bind(String property, String value) {
    Map<String, Object> properties = new HashMap<>(Map.of(
        "silkroute.router.catalog", "../deploy/catalog.yaml",
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", Infra.uniqueName("routersettings") + ":",
        "silkroute.worker.grpc-port", "0"));
    properties.put(property, value);
    try (ApplicationContext context = ApplicationContext.run(properties)) {
      return context.getBean(RouterSettings.class);
    }
  }

  @Test
  void bindsTheUsageQueueCapacity() {
    assertThat(bind("silkroute.router.usage-queue-capacity", "250").usageQueueCapacity()).isEqualTo(250);
  }

  @Test
  void anUnnamedRouterOwnsItsWorkerChargesByHostAndProcessANamedOneByItsName() {
    assertThat(bind("silkroute.router.instance", "router-a").chargeOwner()).isEqualTo("router-a");

    RouterSettings unnamed = bind("silkroute.router.instance", "");
    // Two unnamed routers on one host must not release each other's live charges as leftovers.
    assertThat(unnamed.chargeOwner()).isEqualTo(unnamed.instanceName() + "-" + ProcessHandle.current().pid());
  }

  @Test
  void refusesAnEmptyUsageQueueOrAnUnreadableTimeout() {
    assertThatThrownBy(() -> bind("silkroute.router.usage-queue-capacity", "0"))
        .hasStackTraceContaining("silkroute.router.usage-queue-capacity must be at least 1, got 0");
    assertThatThrownBy(() -> bind("silkroute.router.first-byte-timeout", "soon"))
        .hasStackTraceContaining("silkroute.router.first-byte-timeout='soon'");
  }
}
