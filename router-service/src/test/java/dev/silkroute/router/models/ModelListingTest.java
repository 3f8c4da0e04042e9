package dev.silkroute.router.models;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelListingTest {

  private static Endpoint endpoint(String provider, Endpoint.Protocol protocol, Pricing price) {
    return new Endpoint(provider + "/a/m", provider, protocol, URI.create("http://127.0.0.1:1/v1"), "m",
        Optional.empty(), price, price);
  }

  @Test
  void writesPerTokenPricesExactlyAsDecimalStrings() {
    assertThat(ModelListing.perToken(270_000)).isEqualTo("0.00000027");
    assertThat(ModelListing.perToken(15_000_000)).isEqualTo("0.000015");
    assertThat(ModelListing.perToken(1)).isEqualTo("0.000000000001");
    assertThat(ModelListing.perToken(0)).isEqualTo("0");
  }

  @Test
  void pricesAModelByItsCheapestEndpointAndUnitesTheirParameters() {
    Model model = new Model("a/m", "A M", 8192, List.of(
        endpoint("dear", Endpoint.Protocol.ANTHROPIC, new Pricing(3_000_000, 15_000_000)),
        endpoint("cheap", Endpoint.Protocol.OPENAI, new Pricing(100_000, 300_000))));
    ModelListing listing = new ModelListing(() -> new Catalog(List.of(model)), List.of(), 1_700_000_000L);

    var node = listing.list().path("data").get(0);

    assertThat(node.at("/pricing/prompt").asText()).isEqualTo("0.0000001");
    assertThat(node.at("/pricing/completion").asText()).isEqualTo("0.0000003");
    assertThat(node.path("created").asLong()).isEqualTo(1_700_000_000L);
    List<String> parameters = listing.supportedParameters(model);
    assertThat(parameters).contains("seed", "top_k", "tools").isSorted().doesNotHaveDuplicates();
    assertThat(listing.endpointsObject("a/m").orElseThrow().at("/data/endpoints/0/supported_parameters").toString())
        .doesNotContain("seed");
    assertThat(listing.endpointsObject("a/other")).isEmpty();
  }
}
