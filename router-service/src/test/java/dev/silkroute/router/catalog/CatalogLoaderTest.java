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
    assertThat(deepseek.price()).isEqualTo(new Pricing(270_000, 1_100_000, 70_000));
    assertThat(deepseek.baseUrl().toString()).isEqualTo("http://127.0.0.1:8090/deepseek/v1");
    assertThat(deepseek.id()).isEqualTo("deepseek/deepseek/deepseek-chat-v3");
  }

  @Test
  void readsEmbeddingModelsWithTheirVectorSize() {
    Catalog catalog = new CatalogLoader(name -> null).load(Path.of("../deploy/catalog.yaml"));

    Model small = catalog.model("openai/text-embedding-3-small").orElseThrow();
    assertThat(small.embeds()).isTrue();
    assertThat(small.details().dimensions()).isEqualTo(1536);
    assertThat(small.details().outputModalities()).containsExactly("embeddings");
    assertThat(catalog.model("baai/bge-m3").orElseThrow().details().dimensions()).isEqualTo(1024);
    assertThat(catalog.model("qwen/qwen3-embedding-8b").orElseThrow().embeds()).isTrue();
    assertThat(catalog.model("deepseek/deepseek-chat-v3").orElseThrow().embeds()).isFalse();
  }

  @Test
  void wantsTheVectorSizeOfAnEmbeddingModelAndOfNoOther() {
    Map<String, Object> price = Map.of("prompt", "0.02", "completion", "0");
    Map<String, Object> provider = Map.of("p", Map.of("protocol", "openai", "base_url", "${SIM}/p/v1"));
    Map<String, Object> embeddings = Map.of("input", List.of("text"), "output", List.of("embeddings"));
    List<Object> endpoints = List.of(Map.of("provider", "p", "price", price));

    assertThatThrownBy(() -> loader.parse(Map.of("providers", provider, "models", List.of(Map.of("id", "a/e",
        "modalities", embeddings, "endpoints", endpoints))))).hasMessageContaining("models[a/e].dimensions is missing");
    assertThatThrownBy(() -> loader.parse(Map.of("providers", provider, "models", List.of(Map.of("id", "a/e",
        "modalities", embeddings, "dimensions", 0, "endpoints", endpoints)))))
        .hasMessageContaining("models[a/e].dimensions must be a positive integer");
    assertThatThrownBy(() -> loader.parse(Map.of("providers", provider, "models", List.of(Map.of("id", "a/t",
        "dimensions", 8, "endpoints", endpoints))))).hasMessageContaining("models[a/t].dimensions is only for");
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
  void readsAnEndpointsFixedFirstByteTimeoutAndRejectsOneThatIsNotPositive() {
    Map<String, Object> price = Map.of("prompt", "1", "completion", "1");
    Map<String, Object> fixed = Map.of(
        "providers", Map.of("p", Map.of("protocol", "openai", "base_url", "${SIM}/p/v1")),
        "models", List.of(Map.of("id", "a/b", "endpoints", List.of(
            Map.of("provider", "p", "price", price, "first_byte_timeout_ms", 4000)))));
    Map<String, Object> zero = Map.of(
        "providers", Map.of("p", Map.of("protocol", "openai", "base_url", "${SIM}/p/v1")),
        "models", List.of(Map.of("id", "a/b", "endpoints", List.of(
            Map.of("provider", "p", "price", price, "first_byte_timeout_ms", 0)))));

    assertThat(loader.parse(fixed).model("a/b").orElseThrow().endpoints().get(0).traits().firstByteTimeoutMs())
        .isEqualTo(4000);
    assertThat(loader.parse(catalog(price)).model("a/b").orElseThrow().endpoints().get(0).traits()
        .firstByteTimeoutMs()).as("adaptive").isZero();
    assertThatThrownBy(() -> loader.parse(zero)).hasMessageContaining("endpoints[p].first_byte_timeout_ms");
  }

  @Test
  void namesTheMissingProvider() {
    Map<String, Object> root = Map.of("providers", Map.of(), "models", List.of(Map.of("id", "a/b",
        "endpoints", List.of(Map.of("provider", "ghost", "price", Map.of("prompt", "1", "completion", "1"))))));

    assertThatThrownBy(() -> loader.parse(root)).hasMessageContaining("providers.ghost");
  }

  @Test
  void theShippedCatalogOffersEveryFamilyWithTraitsAndWorkerPools() {
    Catalog catalog = new CatalogLoader(name -> null).load(Path.of("../deploy/catalog.yaml"));

    assertThat(catalog.models()).extracting(Model::author).contains("deepseek", "qwen", "baidu", "z-ai",
        "moonshotai", "minimax", "meta-llama", "google", "openai", "anthropic");
    assertThat(catalog.model("deepseek/deepseek-r1")).isPresent();
    Model v3 = catalog.model("deepseek/deepseek-chat-v3").orElseThrow();
    assertThat(v3.details().openWeights()).isTrue();
    assertThat(v3.details().licence()).contains("MIT");
    assertThat(v3.details().supportedParameters()).contains("tools");
    Endpoint deepseek = v3.endpoints().get(0);
    assertThat(deepseek.price().cachedPromptMicrosPerMillion()).isEqualTo(70_000);
    assertThat(deepseek.traits().quantization()).isEqualTo("fp8");
    assertThat(deepseek.traits().maxOutputTokens()).isEqualTo(8192);
    assertThat(deepseek.traits().dataPolicy().collects()).isTrue();
    assertThat(v3.endpoints().get(1).provider()).isEqualTo("together");
    assertThat(v3.endpoints()).allSatisfy(e -> assertThat(e.price().blendedMicrosPerMillion())
        .isGreaterThanOrEqualTo(deepseek.price().blendedMicrosPerMillion()));
    assertThat(catalog.model("qwen/qwen3-32b").orElseThrow().endpoints().get(0).provider()).isEqualTo("alibaba");
    assertThat(catalog.model("anthropic/claude-sonnet-4").orElseThrow().endpoints().get(0).protocol())
        .isEqualTo(Endpoint.Protocol.ANTHROPIC);
    assertThat(catalog.provider("fireworks").orElseThrow().dataPolicy().collects()).isFalse();
    assertThat(catalog.workerPool("qwen/qwen3-32b").orElseThrow().maxTtftMs()).hasValue(2000);
  }

  @Test
  void resolvesVariantIdsToTheirBaseModel() {
    Catalog catalog = loader.parse(catalog(Map.of("prompt", "1", "completion", "1")));

    assertThat(catalog.model("a/b:floor")).map(Model::id).contains("a/b");
    assertThat(catalog.model("a/b:nitro")).map(Model::id).contains("a/b");
    assertThat(catalog.model("a/b:free")).map(Model::id).contains("a/b");
    assertThat(catalog.model("a/b:other")).isEmpty();
  }

  @Test
  void namesAnUnknownKey() {
    Map<String, Object> root = Map.of(
        "providers", Map.of("p", Map.of("protocol", "openai", "base_url", "http://p/v1", "colour", "red")),
        "models", List.of(Map.of("id", "a/b", "endpoints", List.of(Map.of("provider", "p",
            "price", Map.of("prompt", "1", "completion", "1"))))));

    assertThatThrownBy(() -> loader.parse(root)).hasMessageContaining("providers.p.colour is not a known key");
  }

  @Test
  void namesAWorkerPoolForAModelThatDoesNotExist() {
    Map<String, Object> root = new java.util.HashMap<>(catalog(Map.of("prompt", "1", "completion", "1")));
    root.put("worker_pools", List.of(Map.of("name", "own", "model", "x/y",
        "price", Map.of("prompt", "1", "completion", "1"))));

    assertThatThrownBy(() -> loader.parse(root)).hasMessageContaining("worker_pools[own]").hasMessageContaining("x/y");
  }

  private static Map<String, Object> catalog(Map<String, Object> price) {
    return Map.of(
        "providers", Map.of("p", Map.of("protocol", "openai", "base_url", "${SIM}/p/v1")),
        "models", List.of(Map.of("id", "a/b", "endpoints", List.of(Map.of("provider", "p", "price", price)))));
  }
}
