package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static dev.silkroute.router.routing.Fixtures.model;
import static dev.silkroute.router.routing.Fixtures.request;
import static dev.silkroute.router.routing.Fixtures.traits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.catalog.WorkerPool;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MarketOrderTest {

  private static final String PLAIN = "{\"model\":\"a/m\",\"messages\":[]}";

  private final Fixtures.Core core = new Fixtures.Core();
  private final Endpoint cheap = endpoint("cheap", "1");
  private final Endpoint mid = endpoint("mid", "2");
  private final Endpoint dear = endpoint("dear", "3");
  private final Model model = model(List.of(dear, cheap, mid));

  private static String with(String provider) {
    return "{\"model\":\"a/m\",\"messages\":[],\"provider\":" + provider + "}";
  }

  @Test
  void putsTheDrawnEndpointFirstAndTheRestBestScoreFirst() {
    RouteDecision decision = core.order.decide(model, model.endpoints(), request(PLAIN));

    assertThat(decision.strategy()).isEqualTo("effective-cost");
    assertThat(decision.endpoints()).containsExactlyInAnyOrder(cheap, mid, dear);
    List<Endpoint> rest = decision.endpoints().subList(1, 3);
    assertThat(rest).isSortedAccordingTo((a, b) -> Long.compare(a.price().blendedMicrosPerMillion(),
        b.price().blendedMicrosPerMillion()));
  }

  @Test
  void degradedEndpointsGoAfterHealthyOnesAndDownOnesLast() {
    core.traffic(cheap, 5, 5, 100, 50);   // 50% uptime: down
    core.traffic(mid, 90, 10, 100, 50);   // 90%: degraded

    assertThat(core.providers(model, PLAIN)).containsExactly("dear", "mid", "cheap");
    RouteDecision decision = core.order.decide(model, model.endpoints(), request(PLAIN));
    assertThat(decision.metadata().get("candidates").findValuesAsText("health"))
        .containsExactly("healthy", "degraded", "down");
  }

  @Test
  void anOpenCircuitIsDown() {
    EndpointGuard guard = core.board.guard(cheap);
    for (int i = 0; i < 5; i++) {
      guard.acquire(false);
      guard.release(Outcome.PROVIDER_ERROR, 10, 0);
    }

    assertThat(core.board.health(cheap)).isEqualTo(Health.DOWN);
    assertThat(core.providers(model, PLAIN)).last().isEqualTo("cheap");
  }

  @Test
  void sortsStrictlyByPriceLatencyOrThroughput() {
    core.traffic(cheap, 10, 0, 900, 20);
    core.traffic(mid, 10, 0, 100, 200);
    core.traffic(dear, 10, 0, 400, 80);

    assertThat(core.providers(model, with("{\"sort\":\"price\"}"))).containsExactly("cheap", "mid", "dear");
    assertThat(core.providers(model, with("{\"sort\":\"latency\"}"))).containsExactly("mid", "dear", "cheap");
    assertThat(core.providers(model, with("{\"sort\":\"throughput\"}"))).containsExactly("mid", "dear", "cheap");
  }

  @Test
  void floorAndNitroVariantsSortByPriceAndThroughput() {
    core.traffic(cheap, 10, 0, 100, 20);
    core.traffic(mid, 10, 0, 100, 30);
    core.traffic(dear, 10, 0, 100, 300);

    assertThat(core.providers(model, "{\"model\":\"a/m:floor\",\"messages\":[]}"))
        .containsExactly("cheap", "mid", "dear");
    RouteDecision nitro = core.order.decide(model, model.endpoints(),
        request("{\"model\":\"a/m:nitro\",\"messages\":[]}"));
    assertThat(nitro.strategy()).isEqualTo("sort:throughput");
    assertThat(nitro.endpoints()).extracting(Endpoint::provider).containsExactly("dear", "mid", "cheap");
  }

  @Test
  void freeVariantKeepsOnlyEndpointsThatChargeNothing() {
    Endpoint free = endpoint("gift", Pricing.FREE, Endpoint.Traits.UNKNOWN);
    Model withFree = model(List.of(cheap, free));

    assertThat(core.providers(withFree, "{\"model\":\"a/m:free\",\"messages\":[]}")).containsExactly("gift");
    assertThatThrownBy(() -> core.providers(model, "{\"model\":\"a/m:free\",\"messages\":[]}"))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
          assertThat(e.error().param()).isEqualTo("model");
          assertThat(e.error().message()).contains("not free");
        });
  }

  @Test
  void orderPutsItsProvidersFirstAndWithoutFallbacksOnlyThose() {
    assertThat(core.providers(model, with("{\"order\":[\"dear\",\"mid\"]}"))).containsExactly("dear", "mid", "cheap");
    assertThat(core.providers(model, with("{\"order\":[\"dear\"],\"allow_fallbacks\":false}")))
        .containsExactly("dear");
  }

  @Test
  void onlyAndIgnoreFilterProviders() {
    assertThat(core.providers(model, with("{\"only\":[\"mid\",\"dear\"],\"sort\":\"price\"}")))
        .containsExactly("mid", "dear");
    assertThat(core.providers(model, with("{\"ignore\":[\"cheap\"],\"sort\":\"price\"}")))
        .containsExactly("mid", "dear");
  }

  @Test
  void quantizationsKeepOnlyMatchingEndpoints() {
    Endpoint int4 = endpoint("small", new Pricing(1, 1), traits("int4", DataPolicy.NONE, Set.of(), 0));
    Model mixed = model(List.of(cheap, int4));

    assertThat(core.providers(mixed, with("{\"quantizations\":[\"int4\"]}"))).containsExactly("small");
    assertThat(core.providers(mixed, with("{\"quantizations\":[\"fp8\",\"bf16\"]}"))).containsExactly("cheap");
  }

  @Test
  void dataCollectionDenyKeepsOnlyProvidersThatNeitherTrainNorRetain() {
    Endpoint trains = endpoint("trains", new Pricing(1, 1), traits("fp8", new DataPolicy(true, false), Set.of(), 0));
    Endpoint retains = endpoint("retains", new Pricing(1, 1), traits("fp8", new DataPolicy(false, true), Set.of(), 0));
    Endpoint unknown = endpoint("unknown", new Pricing(1, 1), Endpoint.Traits.UNKNOWN);
    Model mixed = model(List.of(trains, retains, unknown, mid));

    assertThat(core.providers(mixed, with("{\"data_collection\":\"deny\"}"))).containsExactly("mid");
    assertThat(core.providers(mixed, with("{\"data_collection\":\"allow\"}"))).hasSize(4);
  }

  @Test
  void requireParametersKeepsOnlyEndpointsThatHonourEveryParameterUsed() {
    Endpoint noTools = endpoint("notools", new Pricing(1, 1), traits("fp8", DataPolicy.NONE, Set.of("temperature"), 0));
    Model mixed = model(List.of(noTools, mid)); // mid states nothing: the model's list (with tools) applies
    String body = "{\"model\":\"a/m\",\"messages\":[],\"tools\":[{}],\"provider\":{\"require_parameters\":true}}";
    String without = "{\"model\":\"a/m\",\"messages\":[],\"tools\":[{}],\"provider\":{\"sort\":\"price\"}}";

    assertThat(core.providers(mixed, body)).containsExactly("mid");
    assertThat(core.providers(mixed, without)).containsExactly("notools", "mid");
  }

  @Test
  void maxPriceRulesOutDearerEndpointsAndNamesTheFieldWhenNothingIsLeft() {
    assertThat(core.providers(model, with("{\"max_price\":{\"prompt\":2,\"completion\":2.5},\"sort\":\"price\"}")))
        .containsExactly("cheap", "mid");
    assertThatThrownBy(() -> core.providers(model, with("{\"max_price\":{\"completion\":0.5}}")))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE);
          assertThat(e.error().param()).isEqualTo("provider.max_price.completion");
          assertThat(e.error().message()).contains("cheap", "mid", "dear");
        });
  }

  @Test
  void maxTokensAboveAnEndpointsOutputLimitRulesItOut() {
    Endpoint shortOutput = endpoint("short", new Pricing(1, 1), traits("fp8", DataPolicy.NONE, Set.of(), 100));
    Model mixed = model(List.of(shortOutput, mid));

    assertThat(core.providers(mixed, "{\"model\":\"a/m\",\"messages\":[],\"max_tokens\":500}")).containsExactly("mid");
  }

  @Test
  void preferredLatencyAndThroughputPutSlowEndpointsAfterFastOnes() {
    core.traffic(cheap, 10, 0, 3_000, 20);
    core.traffic(mid, 10, 0, 200, 100);

    assertThat(core.providers(model, with("{\"preferred_max_latency\":1}"))).last().isEqualTo("cheap");
    assertThat(core.providers(model, with("{\"preferred_min_throughput\":50}"))).last().isEqualTo("cheap");
  }

  @Test
  void aWorkerPredictedToStartLateSpillsOverToExternalEndpoints() {
    Endpoint worker = new Endpoint("silkroute/a/m/w1", "silkroute", Endpoint.Protocol.WORKER,
        URI.create("grpc://10.0.0.1:9091"), "a/m", Optional.empty(), new Pricing(1, 1), new Pricing(1, 1),
        Endpoint.Traits.UNKNOWN.withPredictedTtftMs(5_000));
    core.catalog = new Catalog(List.of(model), List.of(), List.of(new WorkerPool("silkroute", "a/m", "a/m",
        new Pricing(1, 1), Optional.empty(), OptionalLong.of(2_000))));
    List<Endpoint> available = List.of(worker, mid);

    assertThat(core.order.decide(model, available, request(PLAIN)).endpoints()).containsExactly(mid, worker);

    Endpoint idle = worker.withTraits(worker.traits().withPredictedTtftMs(50));
    assertThat(core.order.decide(model, List.of(idle, mid), request(with("{\"sort\":\"price\"}"))).endpoints())
        .containsExactly(idle, mid);
  }

  @Test
  void aSessionStaysOnItsEndpointWhereCachedPromptsAreCheaper() {
    Endpoint caching = endpoint("caching", new Pricing(3_000_000, 3_000_000, 300_000), Endpoint.Traits.UNKNOWN);
    Model m = model(List.of(cheap, caching));
    String session = "{\"model\":\"a/m\",\"messages\":[],\"session_id\":\"s1\"}";
    RouteDecision first = core.order.decide(m, m.endpoints(), request(session));
    first.begin(caching).orElseThrow().succeeded(10);

    RouteDecision second = core.order.decide(m, m.endpoints(), request(session));
    assertThat(second.strategy()).isEqualTo("sticky");
    assertThat(second.endpoints().get(0)).isEqualTo(caching);

    core.clock.advance(Duration.ofMinutes(10));
    assertThat(core.order.decide(m, m.endpoints(), request(session)).strategy()).isEqualTo("effective-cost");
  }

  @Test
  void aSessionDoesNotStickWhereCachingSavesNothing() {
    String session = "{\"model\":\"a/m\",\"messages\":[],\"session_id\":\"s2\"}";
    core.order.decide(model, model.endpoints(), request(session)).begin(dear).orElseThrow().succeeded(10);

    assertThat(core.order.decide(model, model.endpoints(), request(session)).strategy()).isEqualTo("effective-cost");
  }

  @Test
  void plansFallbackModelsAfterTheRequestedOne() {
    Endpoint other = new Endpoint("p/b/n", "p", Endpoint.Protocol.OPENAI, URI.create("http://x/v1"), "n",
        Optional.empty(), new Pricing(1, 1), new Pricing(1, 1));
    Model second = new Model("b/n", "B", 1000, List.of(other));
    core.catalog = new Catalog(List.of(model, second));

    List<RouteDecision> plan = core.order.plan(request(
        "{\"model\":\"a/m\",\"models\":[\"a/m\",\"b/n\"],\"messages\":[],\"provider\":{\"only\":[\"p\",\"cheap\"]}}"),
        Model::endpoints);

    assertThat(plan).extracting(d -> d.model().id()).containsExactly("a/m", "b/n");
    assertThat(plan.get(0).endpoints()).containsExactly(cheap);
    assertThatThrownBy(() -> core.order.plan(request("{\"model\":\"a/m\",\"models\":[\"x/y\"],\"messages\":[]}"),
        Model::endpoints)).isInstanceOfSatisfying(RouterException.class,
            e -> assertThat(e.error().param()).isEqualTo("models"));
  }

  @Test
  void aPlanSkipsModelsWithNothingThatFits() {
    Endpoint other = new Endpoint("p/b/n", "p", Endpoint.Protocol.OPENAI, URI.create("http://x/v1"), "n",
        Optional.empty(), Pricing.FREE, Pricing.FREE);
    core.catalog = new Catalog(List.of(model, new Model("b/n", "B", 1000, List.of(other))));

    List<RouteDecision> plan = core.order.plan(request(
        "{\"model\":\"a/m:free\",\"models\":[\"b/n\"],\"messages\":[]}"), Model::endpoints);

    assertThat(plan).extracting(d -> d.model().id()).containsExactly("b/n");
  }

  @Test
  void metadataNamesTheStrategyCandidatesAndAttempts() {
    RouteDecision decision = core.order.decide(model, model.endpoints(),
        request(with("{\"sort\":\"price\",\"ignore\":[\"dear\"]}")));
    Attempt attempt = decision.begin(cheap).orElseThrow();
    core.clock.advance(Duration.ofMillis(120));
    attempt.failed(new dev.silkroute.router.provider.UpstreamException("cheap", 500, "boom", "{}", null));
    decision.begin(mid).orElseThrow().succeeded(5);

    ObjectNode meta = decision.metadata();
    assertThat(meta.get("requested_model").asText()).isEqualTo("a/m");
    assertThat(meta.get("strategy").asText()).isEqualTo("sort:price");
    assertThat(meta.get("candidates").findValuesAsText("provider")).containsExactly("cheap", "mid");
    assertThat(meta.get("rejected").get(0).get("param").asText()).isEqualTo("provider.ignore");
    assertThat(meta.get("attempts").findValuesAsText("outcome")).containsExactly("provider_error", "ok");
    assertThat(meta.get("attempts").get(0).get("latency_ms").asLong()).isEqualTo(120);
    assertThat(meta.get("attempts").get(0).get("detail").asText()).isEqualTo("500");
  }

  @Test
  void noEndpointAtAllIsA503() {
    assertThatThrownBy(() -> core.order.decide(model, List.of(), request(PLAIN)))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.UNAVAILABLE));
  }
}
