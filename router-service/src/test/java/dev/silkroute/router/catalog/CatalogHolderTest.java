package dev.silkroute.router.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogHolderTest {

  private static final String GOOD = """
      providers:
        p: {protocol: openai, base_url: "http://p/v1"}
      models:
        - id: a/b
          endpoints:
            - {provider: p, price: {prompt: "%s", completion: "1"}}
      """;

  @TempDir
  Path dir;

  @Test
  void reloadsAChangedFile() throws IOException {
    Path file = write(GOOD.formatted("1"));
    CatalogHolder holder = new CatalogHolder(file, new CatalogLoader(name -> null));
    assertThat(holder.reloadIfChanged()).isFalse();

    Files.writeString(file, GOOD.formatted("2"));

    assertThat(holder.reloadIfChanged()).isTrue();
    assertThat(price(holder)).isEqualTo(2_000_000);
  }

  @Test
  void keepsTheLastGoodCatalogWhenTheNewFileIsBadAndSaysWhy() throws IOException {
    Path file = write(GOOD.formatted("1"));
    CatalogHolder holder = new CatalogHolder(file, new CatalogLoader(name -> null));

    Files.writeString(file, GOOD.formatted("1").replace("price:", "prise:"));

    assertThat(holder.reloadIfChanged()).isFalse();
    assertThat(price(holder)).isEqualTo(1_000_000);
    assertThat(holder.lastError()).hasValueSatisfying(message ->
        assertThat(message).contains("models[a/b].endpoints[p].prise is not a known key"));

    Files.writeString(file, GOOD.formatted("3"));
    assertThat(holder.reloadIfChanged()).isTrue();
    assertThat(holder.lastError()).isEmpty();
  }

  @Test
  void rejectsAFileThatIsNotYaml() throws IOException {
    Path file = write(GOOD.formatted("1"));
    CatalogHolder holder = new CatalogHolder(file, new CatalogLoader(name -> null));

    Files.writeString(file, "models: [unclosed");

    assertThat(holder.reloadIfChanged()).isFalse();
    assertThat(holder.lastError()).hasValueSatisfying(message -> assertThat(message).contains("not valid YAML"));
    assertThat(price(holder)).isEqualTo(1_000_000);
  }

  @Test
  void watchingPicksUpAChangeWithoutBeingAsked() throws IOException {
    Path file = write(GOOD.formatted("1"));
    try (CatalogHolder holder = new CatalogHolder(file, new CatalogLoader(name -> null))
        .watch(Duration.ofMillis(20))) {
      Files.writeString(file, GOOD.formatted("4"));

      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(price(holder)).isEqualTo(4_000_000));
    }
  }

  private static long price(CatalogHolder holder) {
    return holder.get().model("a/b").orElseThrow().endpoints().get(0).price().promptMicrosPerMillion();
  }

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("catalog.yaml"), content);
  }
}
