package dev.silkroute.router.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogLoaderTest {

  private final CatalogLoader loader = new CatalogLoader(Map.of("SIM", "http://sim:1")::get);

  @Test
  void loadsTheShippedCatalogWithExactMicroPrices() {
    Catalog catalog = new CatalogLoader(name -> null).load(Path.of("../deploy/catalog.yaml"));

    Model v3 = catalog.model("deepseek/deepseek-chat-v3").orElseThrow();
    assertThat(v3.author()).isEqualTo("deepseek");
    Endpoint deepseek = v3.endpoints().get(0);
    assertThat(deepseek.provider()).isEqualTo("deepseek");
    assertThat(deepseek.price()).isEqualTo(new Pricing(270_000, 1_100_000));
    assertThat(deepseek.baseUrl().toString()).isEqualTo("http://127.0.0.1:8090/deepseek/v1");
    assertThat(deepseek.id()).isEqualTo("deepseek/deepseek/deepseek-chat-v3");
  }

  @Test
  void expandsEnvironmentVariablesInBaseUrls() {
    assertThat(loader.expand("${SIM:-http://x}/a/v1")).isEqualTo("http://sim:1/a/v1");
    assertThat(loader.expand("${NOPE:-http://x}/a/v1")).isEqualTo("http://x/a/v1");
    assertThatThrownBy(() -> loader.expand("${NOPE}/v1")).hasMessageContaining("NOPE");
  }

  @Test
  void rejectsPricesThatAreNotExactInMicroUsd() {
    Map<String, Object> root = catalog(Map.of("prompt", "0.0000001", "completion", "1"));

    assertThatThrownBy(() -> loader.parse(root))
        .hasMessageContaining("models[a/b].endpoints[p].price.prompt");
  }

  @Test
  void namesTheMissingProvider() {
    Map<String, Object> root = Map.of("providers", Map.of(), "models", List.of(Map.of("id", "a/b",
        "endpoints", List.of(Map.of("provider", "ghost", "price", Map.of("prompt", "1", "completion", "1"))))));

    assertThatThrownBy(() -> loader.parse(root)).hasMessageContaining("providers.ghost");
  }

  private static Map<String, Object> catalog(Map<String, Object> price) {
    return Map.of(
        "providers", Map.of("p", Map.of("protocol", "openai", "base_url", "${SIM}/p/v1")),
        "models", List.of(Map.of("id", "a/b", "endpoints", List.of(Map.of("provider", "p", "price", price)))));
  }
}
