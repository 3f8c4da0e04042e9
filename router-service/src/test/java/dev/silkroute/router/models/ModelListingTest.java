package dev.silkroute.router.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.api.OpenRouterSchemas;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.GuardSettings;
import dev.silkroute.router.routing.LocalStatsBuckets;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.Outcome;
import dev.silkroute.router.routing.RouteDecision;
import dev.silkroute.router.routing.StickySessions;
import dev.silkroute.router.routing.TokenMix;
import dev.silkroute.router.routing.TrafficStats;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ModelListingTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private final TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
  private final EndpointBoard board = new EndpointBoard(
      new GuardSettings(50, 4, 4, Duration.ofSeconds(30), 1, 10, Duration.ofSeconds(1)), stats, clock);

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
    ModelListing listing = new ModelListing(() -> new Catalog(List.of(model)), List.of(), board,
        1_700_000_000L);

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

  @Test
  void reportsEachEndpointsMeasuredUptimeLatencyThroughputAndCircuit() {
    Endpoint steady = endpoint("steady", Endpoint.Protocol.OPENAI, new Pricing(100_000, 300_000));
    Endpoint flaky = endpoint("flaky", Endpoint.Protocol.OPENAI, new Pricing(100_000, 300_000));
    Endpoint quiet = endpoint("quiet", Endpoint.Protocol.OPENAI, new Pricing(100_000, 300_000));
    Model model = new Model("a/m", "A M", 8192, List.of(steady, flaky, quiet));
    ModelListing listing = new ModelListing(() -> new Catalog(List.of(model)), List.of(), board, 1L);
    for (int i = 0; i < 10; i++) {
      stats.record(steady, Outcome.OK, 400, 100, 50, 250); // 50 tokens in 250 ms: 200 tokens/s
    }
    stats.record(flaky, Outcome.OK, 400, 100, 50, 250);
    // Four failed attempts through routing itself: recorded in the statistics, and enough to open the circuit.
    MarketOrder order = new MarketOrder(board, new StickySessions(clock, Duration.ofMinutes(10)),
        () -> new Catalog(List.of(model)), () -> 0.5, System::nanoTime);
    ObjectNode body = new ObjectMapper().createObjectNode().put("model", "a/m");
    for (int i = 0; i < 4; i++) {
      RouteDecision decision = order.decide(model, List.of(flaky),
          new ChatRequest("a/m", false, OptionalLong.empty(), body, 5));
      var attempt = decision.begin(flaky).orElseThrow();
      if (i < 2) { // two given up at their first-byte timeout
        attempt.failed(new UpstreamException("flaky", 0, "nothing in time", null,
            new java.net.http.HttpTimeoutException("first-byte timeout")));
      } else {
        attempt.failed(new UpstreamException("flaky", 500, "boom", null, null));
      }
    }
    stats.refresh();

    var endpoints = listing.endpointsObject("a/m").orElseThrow().at("/data/endpoints");

    var s = endpoints.get(0);
    assertThat(s.path("uptime_last_5m").asDouble()).isEqualTo(100.0);
    assertThat(s.at("/stats/uptime_30m").asDouble()).isEqualTo(1.0);
    assertThat(s.at("/stats/requests_5m").asLong()).isEqualTo(10);
    assertThat(s.at("/stats/latency_p50_ms").asDouble()).isCloseTo(400, within(80.0));
    assertThat(s.at("/stats/latency_p99_ms").asDouble()).isCloseTo(400, within(80.0));
    assertThat(s.at("/stats/ttft_p50_ms").asDouble()).isCloseTo(100, within(20.0));
    assertThat(s.at("/latency_last_30m/p99").asLong()).isEqualTo(s.at("/stats/ttft_p99_ms").asLong());
    assertThat(s.at("/stats/throughput_tokens_per_second").asDouble())
        .isCloseTo(200, within(40.0));
    assertThat(s.at("/stats/circuit").asText()).isEqualTo("closed");
    assertThat(s.at("/stats/health").asText()).isEqualTo("healthy");

    var f = endpoints.get(1);
    assertThat(f.path("uptime_last_5m").asDouble()).isEqualTo(20.0);
    assertThat(f.at("/stats/uptime_1d").asDouble()).isEqualTo(0.2);
    assertThat(f.at("/stats/circuit").asText()).isEqualTo("open");
    assertThat(f.at("/stats/health").asText()).isEqualTo("down");
    assertThat(f.at("/stats/first_byte_timeouts_30m").asLong()).isEqualTo(2);
    assertThat(s.at("/stats/first_byte_timeouts_30m").asLong()).isZero();
    assertThat(s.at("/stats/stalls_30m").asLong()).isZero();

    var q = endpoints.get(2);
    assertThat(q.path("uptime_last_30m").isNull()).isTrue();
    assertThat(q.path("latency_last_30m").isNull()).isTrue();
    assertThat(q.path("throughput_last_30m").isNull()).isTrue();
    assertThat(q.at("/stats/uptime_5m").isNull()).isTrue();
    assertThat(q.at("/stats/ttft_p50_ms").isNull()).isTrue();
    assertThat(q.at("/stats/requests_1d").asLong()).isZero();
    assertThat(q.at("/stats/circuit").asText()).isEqualTo("closed");
  }

  @Test
  void answersInOpenRoutersPublishedSchemasMeasuredOrNot() {
    Endpoint steady = endpoint("steady", Endpoint.Protocol.OPENAI, new Pricing(100_000, 300_000));
    Endpoint quiet = endpoint("quiet", Endpoint.Protocol.WORKER, new Pricing(100_000, 300_000));
    Model model = new Model("a/m", "A M", 8192, List.of(steady, quiet));
    ModelListing listing = new ModelListing(() -> new Catalog(List.of(model)), List.of(), board, 1L);
    for (int i = 0; i < 20; i++) {
      stats.record(steady, Outcome.OK, 400 + 10 * i, 100 + 20 * i, 50, 250 + 5 * i);
    }
    stats.refresh();

    var list = listing.list();
    var endpoints = listing.endpointsObject("a/m").orElseThrow();

    OpenRouterSchemas.assertModelsList(list);
    OpenRouterSchemas.assertEndpoints(endpoints);
    assertThat(list.path("total_count").asInt()).isEqualTo(1);
    assertThat(list.at("/links/next").isNull()).isTrue();
    assertThat(list.at("/data/0/links/details").asText()).isEqualTo("/api/v1/models/a/m/endpoints");
    var s = endpoints.at("/data/endpoints/0");
    assertThat(s.path("model_id").asText()).isEqualTo("a/m");
    assertThat(s.path("status").asInt()).isZero();
    assertThat(s.at("/supports_tool_choice/required").asBoolean()).isTrue();
    // A full, ordered percentile set: time to first token, and tokens per second.
    var latency = s.path("latency_last_30m");
    assertThat(latency.path("p50").asLong()).isPositive()
        .isLessThanOrEqualTo(latency.path("p75").asLong());
    assertThat(latency.path("p75").asLong()).isLessThanOrEqualTo(latency.path("p90").asLong());
    assertThat(latency.path("p90").asLong()).isLessThanOrEqualTo(latency.path("p99").asLong());
    var throughput = s.path("throughput_last_30m");
    assertThat(throughput.path("p50").asLong()).isPositive()
        .isLessThanOrEqualTo(throughput.path("p75").asLong());
    assertThat(throughput.path("p99").asLong()).isGreaterThanOrEqualTo(throughput.path("p90").asLong());
    var q = endpoints.at("/data/endpoints/1");
    assertThat(q.path("latency_last_30m").isNull()).isTrue();
    assertThat(q.at("/supports_tool_choice/auto").asBoolean()).isFalse(); // workers take no tools
  }

  @Test
  void givesEachHealthOneOfOpenRoutersEndpointStatuses() {
    assertThat(ModelListing.status(dev.silkroute.router.routing.Health.HEALTHY)).isZero();
    assertThat(ModelListing.status(dev.silkroute.router.routing.Health.DEGRADED)).isEqualTo(-1);
    assertThat(ModelListing.status(dev.silkroute.router.routing.Health.DOWN)).isEqualTo(-10);
    assertThat(List.of(0, -1, -2, -3, -5, -10)).contains(
        java.util.Arrays.stream(dev.silkroute.router.routing.Health.values()).map(ModelListing::status)
            .toArray(Integer[]::new));
  }

  @Test
  void pagesAndFiltersTheListAsOpenRouterDoes() {
    Model chat = new Model("a/chat", "Chat", 8192, List.of(endpoint("p", Endpoint.Protocol.OPENAI, Pricing.FREE)));
    Model small = new Model("a/small", "Small", 8192, List.of(endpoint("w", Endpoint.Protocol.WORKER, Pricing.FREE)));
    Model vision = new Model("a/vision", "Vision", 8192, List.of(endpoint("p", Endpoint.Protocol.OPENAI, Pricing.FREE)),
        new Model.Details(List.of("text", "image"), List.of("text"), java.util.Set.of(), false, Optional.empty()));
    ModelListing listing = new ModelListing(() -> new Catalog(List.of(chat, small, vision)), List.of(), board, 1L);

    var first = listing.list(ModelQuery.parse(null, "2", null, null, null), "/api/v1/models");
    var second = listing.list(ModelQuery.parse("2", "2", null, null, null), "/api/v1/models");

    OpenRouterSchemas.assertModelsList(first);
    assertThat(first.path("data")).hasSize(2);
    assertThat(first.path("total_count").asInt()).isEqualTo(3);
    assertThat(first.at("/links/next").asText()).isEqualTo("/api/v1/models?offset=2&limit=2");
    assertThat(second.path("data").findValuesAsText("id")).containsExactly("a/vision");
    assertThat(second.at("/links/next").isNull()).isTrue();
    assertThat(listing.list(ModelQuery.parse("9", null, null, null, null), "/v1/models").path("data")).isEmpty();

    var tools = listing.list(ModelQuery.parse(null, null, "tools,tool_choice", null, null), "/api/v1/models");
    assertThat(tools.path("data").findValuesAsText("id")).containsExactly("a/chat", "a/vision");
    assertThat(tools.path("total_count").asInt()).isEqualTo(2);
    var images = listing.list(ModelQuery.parse("0", "1", null, "image", "all"), "/api/v1/models");
    assertThat(images.path("data").findValuesAsText("id")).containsExactly("a/vision");
    assertThat(listing.list(ModelQuery.parse(null, null, null, null, "embeddings"), "/v1/models")
        .path("total_count").asInt()).isZero();
  }

  @Test
  void refusesBadPagingNamingTheParameter() {
    for (String[] bad : new String[][] {{"-1", null, "offset"}, {null, "0", "limit"}, {null, "1001", "limit"},
        {"x", null, "offset"}, {null, "ten", "limit"}}) {
      assertThatThrownBy(() -> ModelQuery.parse(bad[0], bad[1], null, null, null))
          .isInstanceOfSatisfying(RouterException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
            assertThat(e.error().param()).isEqualTo(bad[2]);
          });
    }
  }

  @Test
  void showsTheEffectivePromptPriceBesideTheListPriceOnceTheCachedShareIsMeasured() {
    Pricing caching = new Pricing(1_000_000, 2_000_000, 100_000);

    ObjectNode measured = ModelListing.effectivePricing(caching, new TokenMix.Mix(10, 0.5, 1_200, 300));
    ObjectNode unmeasured = ModelListing.effectivePricing(caching, TokenMix.Mix.NONE);

    assertThat(measured.get("prompt").asText()).isEqualTo("0.00000055"); // (1.00 + 0.10) / 2 per M
    assertThat(measured.get("completion").asText()).isEqualTo("0.000002");
    assertThat(measured.get("cached_share").asDouble()).isEqualTo(0.5);
    assertThat(measured.get("mean_prompt_tokens").asLong()).isEqualTo(1_200);
    assertThat(measured.get("mean_completion_tokens").asLong()).isEqualTo(300);
    assertThat(unmeasured.get("prompt").asText()).isEqualTo("0.000001");
    assertThat(unmeasured.get("mean_prompt_tokens").isNull()).isTrue();
  }
}
