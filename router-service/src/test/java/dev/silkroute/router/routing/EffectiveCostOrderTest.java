package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static dev.silkroute.router.routing.Fixtures.model;
import static dev.silkroute.router.routing.Fixtures.request;
import static dev.silkroute.router.routing.Fixtures.traits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.ChatRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The default order by {@link EffectiveCost}: what a request will really cost, not the list price. */
class EffectiveCostOrderTest {

  // A 4000-token prompt (16000 characters), a short answer: the prompt price decides.
  private static final String LONG_PROMPT = "{\"model\":\"a/m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";

  // List: $1 per M either way. Caching: dearer on the list ($1.50) but $0.10 per M for cached prompts.
  private final Endpoint plain = endpoint("plain", "1");
  private final Endpoint caching = endpoint("caching", new Pricing(1_500_000, 1_500_000, 100_000),
      traits("fp8", DataPolicy.NONE, Set.of(), 0));
  private final Model model = model(List.of(plain, caching));
  private final Fixtures.Core core = new Fixtures.Core(11, new Catalog(List.of(model)));

  private static ChatRequest longPrompt() {
    ChatRequest r = request(LONG_PROMPT);
    return new ChatRequest(r.model(), false, java.util.OptionalLong.of(100), r.body(), 16_000);
  }

  private void served(Endpoint endpoint, int generations, long prompt, long completion, long cached) {
    for (int i = 0; i < generations; i++) {
      core.stats.usage(endpoint.id(), prompt, completion, cached);
    }
    core.stats.refresh();
  }

  @Test
  void shouldPreferAnEndpointWhosePromptCacheMakesItCheaperThanTheListPriceSays() {
    served(caching, 20, 4_000, 100, 3_600); // 90% of its prompt tokens came from its cache

    RouteDecision decision = core.order.decide(model, model.endpoints(), longPrompt());

    assertThat(decision.strategy()).isEqualTo("effective-cost");
    // plain: 4000 x 1.00 + 100 x 1.00 = 4100 micro-USD; caching: 4000 x (1.5 x 0.1 + 0.1 x 0.9) + 100 x 1.5 = 1110
    JsonNode candidates = decision.metadata().get("candidates");
    JsonNode cached = candidates.get(0).get("endpoint").asText().equals(caching.id()) ? candidates.get(0)
        : candidates.get(1);
    assertThat(cached.get("effective_cost").asDouble()).isCloseTo(0.001110, within(1e-9));
    assertThat(cached.get("list_cost").asDouble()).isCloseTo(0.006150, within(1e-9));
    assertThat(cached.get("cached_share").asDouble()).isCloseTo(0.9, within(1e-9));

    int first = 0;
    for (int i = 0; i < 2_000; i++) {
      if (core.order.decide(model, model.endpoints(), longPrompt()).endpoints().get(0) == caching) {
        first++;
      }
    }
    double expected = (1 / (1110.0 * 1110)) / (1 / (1110.0 * 1110) + 1 / (4100.0 * 4100)); // 0.932
    assertThat(first / 2_000.0).isCloseTo(expected, within(0.03));
  }

  @Test
  void shouldDrawByListPriceWhenTheSwitchIsOff() {
    served(caching, 20, 4_000, 100, 3_600);
    MarketOrder byList = new MarketOrder(core.board, core.sessions, () -> core.catalog, new java.util.Random(3)::nextDouble,
        core.clock::nanos, new OrderRules(false, true));

    RouteDecision decision = byList.decide(model, model.endpoints(), longPrompt());

    assertThat(decision.strategy()).isEqualTo("weighted-price");
    int first = 0;
    for (int i = 0; i < 2_000; i++) {
      if (byList.decide(model, model.endpoints(), longPrompt()).endpoints().get(0) == plain) {
        first++;
      }
    }
    // 1/2^2 against 1/3^2 (blended list prices $2 and $3 per M): 0.69
    assertThat(first / 2_000.0).isCloseTo(9.0 / 13, within(0.03));
  }

  @Test
  void shouldExpectTheModelsMeasuredAnswerLengthWhereAnEndpointHasNone() {
    // Dear completions, cheap prompts: on a long answer the plain endpoint is the cheaper one.
    Endpoint writer = endpoint("writer", new Pricing(100_000, 10_000_000), traits("fp8", DataPolicy.NONE, Set.of(), 0));
    Model m = model(List.of(plain, writer));
    served(plain, 10, 10, 2_000, 0); // the model's answers run to 2000 tokens
    ChatRequest shortPrompt = new ChatRequest("a/m", false, java.util.OptionalLong.empty(),
        request(LONG_PROMPT).body(), 40);

    RouteDecision decision = core.order.decide(m, m.endpoints(), shortPrompt);

    JsonNode candidates = decision.metadata().get("candidates");
    JsonNode w = candidates.get(0).get("endpoint").asText().equals(writer.id()) ? candidates.get(0) : candidates.get(1);
    // 10 prompt tokens x 0.10 + 2000 expected completion tokens x 10.00 = 20001 micro-USD
    assertThat(w.get("effective_cost").asDouble()).isCloseTo(0.020001, within(1e-9));
    assertThat(decision.endpoints()).last().isEqualTo(writer);
  }

  @Test
  void shouldRankASlowOrUnreliableEndpointBehindAnEquallyPricedOne() {
    Endpoint slow = endpoint("slow", "1");
    Endpoint fast = endpoint("fast", "1");
    Model m = model(List.of(slow, fast));
    core.traffic(slow, 100, 0, 20_000, 50); // first tokens after 20 s: score doubled
    core.traffic(fast, 100, 0, 100, 50);

    int fastFirst = 0;
    for (int i = 0; i < 2_000; i++) {
      if (core.order.decide(m, m.endpoints(), request("{\"model\":\"a/m\",\"messages\":[]}")).endpoints().get(0)
          == fast) {
        fastFirst++;
      }
    }
    // Scores about 1 : 2 (TTFT 100 ms against 20 s, within the histogram's resolution): chances about 0.8.
    assertThat(fastFirst / 2_000.0).isBetween(0.75, 0.86);
  }
}
