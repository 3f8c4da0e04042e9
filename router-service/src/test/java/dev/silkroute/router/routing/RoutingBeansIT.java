package dev.silkroute.router.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.catalog.CatalogHolder;
import dev.silkroute.testkit.Infra;
import io.micronaut.context.ApplicationContext;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing beans wire up in a real context. */
class RoutingBeansIT {

  @Test
  void wiresTheMarketOrderOverTheReloadingCatalog() {
    try (ApplicationContext context = ApplicationContext.run(Map.of(
        "silkroute.router.catalog", "../deploy/catalog.yaml",
        "silkroute.redis.uri", Infra.redis().uri(),
        "silkroute.redis.key-prefix", Infra.uniqueName("routingbeans") + ":",
        // worker-service is on the test classpath; its worker starts with any context, on any free port.
        "silkroute.worker.grpc-port", "0"))) {
      assertThat(context.getBean(MarketOrder.class)).isNotNull();
      assertThat(context.getBean(CatalogHolder.class).get().model("qwen/qwen3-32b")).isPresent();
      context.getBean(TrafficStats.class).refresh();
    }
  }
}
