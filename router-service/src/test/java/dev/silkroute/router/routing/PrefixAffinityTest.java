package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.model;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.ChatRequest;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Prefix-cache affinity among self-hosted workers ({@link MarketOrder}). */
class PrefixAffinityTest {

  private static final String SYSTEM = "Tools and rules of a long-running agent. ".repeat(200); // ~8200 chars

  private final Fixtures.Core core = new Fixtures.Core();
  /** Leading blocks each worker holds, and its prefill speed. */
  private final Map<String, Integer> held = new HashMap<>();
  private final Map<String, Double> prefill = new HashMap<>();
  private final PrefixHolders holders = new PrefixHolders() {
    @Override
    public int heldBlocks(String workerId, PromptPrefix prefix) {
      return Math.min(held.getOrDefault(workerId, 0), prefix.blocks());
    }

    @Override
    public double prefillTokensPerSecond(String workerId) {
      return prefill.getOrDefault(workerId, 0.0);
    }
  };

  private static Endpoint worker(String id, long predictedTtftMs) {
    Pricing price = new Pricing(100_000, 100_000);
    return new Endpoint("pool/" + id + "/a/m", "pool", Endpoint.Protocol.WORKER, URI.create("grpc://" + id),
        "a/m", Optional.empty(), price, price,
        new Endpoint.Traits("bf16", 0, 0, 0, DataPolicy.NONE, Set.of(), predictedTtftMs));
  }

  /** The draw always picks the best score, so that which worker comes first is known. */
  private MarketOrder order(boolean affinity) {
    return new MarketOrder(core.board, core.sessions, () -> new Catalog(List.of()), () -> 0.0,
        core.clock::nanos, new OrderRules(true, affinity), holders);
  }

  private static ChatRequest request() {
    ObjectNode body = (ObjectNode) Fixtures.request("{\"model\":\"a/m\",\"messages\":[{\"role\":\"system\",\"content\":\""
        + SYSTEM + "\"},{\"role\":\"user\",\"content\":\"next step?\"}]}").body();
    return new ChatRequest("a/m", false, OptionalLong.empty(), body, SYSTEM.length() + 10);
  }

  @Test
  void shouldSendThePromptToTheWorkerHoldingItsPrefix() {
    Endpoint w1 = worker("w1", 100);
    Endpoint w2 = worker("w2", 100);
    Endpoint w3 = worker("w3", 100);
    Model m = model(List.of());
    held.put("w2", 6);
    prefill.put("w2", 10_000.0);
    prefill.put("w1", 10_000.0);
    prefill.put("w3", 10_000.0);

    for (int i = 0; i < 50; i++) {
      RouteDecision decision = order(true).decide(m, List.of(w1, w2, w3), request());

      assertThat(decision.endpoints().get(0)).isEqualTo(w2);
      assertThat(decision.prefixAffinity()).isEqualTo("holder");
      assertThat(decision.prefixCachedTokens()).isEqualTo(6 * PromptPrefix.BLOCK_TOKENS);
      assertThat(decision.endpoints()).containsExactlyInAnyOrder(w1, w2, w3);
    }
    ObjectNode routing = order(true).decide(m, List.of(w1, w2, w3), request()).metadata();
    assertThat(routing.get("prefix_affinity").asText()).isEqualTo("holder");
    assertThat(routing.get("prefix_cached_tokens").asLong()).isEqualTo(1_536);
  }

  @Test
  void shouldPassOverAHolderWhoseQueueMakesItsFirstTokenLater() {
    Endpoint idle = worker("idle", 100);
    Endpoint busy = worker("busy", 2_000); // its cache saves 1536 tokens at 10k/s: 154 ms, not 1.9 s
    held.put("busy", 6);
    prefill.put("busy", 10_000.0);
    prefill.put("idle", 10_000.0);
    Model m = model(List.of());

    RouteDecision decision = order(true).decide(m, List.of(busy, idle), request());

    assertThat(decision.endpoints().get(0)).isEqualTo(idle);
    assertThat(decision.prefixAffinity()).isEqualTo("holder-busy");
    assertThat(decision.prefixCachedTokens()).isZero();
  }

  @Test
  void shouldPreferAHolderWhoseSavedPrefillOutweighsItsLongerQueue() {
    Endpoint idle = worker("idle", 100);
    Endpoint holder = worker("holder", 200); // 100 ms later by its queue, 154 ms sooner by its cache
    held.put("holder", 6);
    prefill.put("holder", 10_000.0);
    prefill.put("idle", 10_000.0);
    Model m = model(List.of());

    RouteDecision decision = order(true).decide(m, List.of(idle, holder), request());

    assertThat(decision.endpoints().get(0)).isEqualTo(holder);
    assertThat(decision.prefixAffinity()).isEqualTo("holder");
  }

  @Test
  void shouldTellAMissAndLeaveTheOrderAlone() {
    Endpoint w1 = worker("w1", 100);
    Endpoint w2 = worker("w2", 100);
    Model m = model(List.of());

    RouteDecision decision = order(true).decide(m, List.of(w1, w2), request());

    assertThat(decision.prefixAffinity()).isEqualTo("miss");
    assertThat(decision.prefixCachedTokens()).isZero();
  }

  @Test
  void shouldKeepExternalEndpointsInTheirPlaces() {
    Endpoint external = Fixtures.endpoint("cheap", "0.01"); // far cheaper: the best score
    Endpoint w1 = worker("w1", 100);
    Endpoint w2 = worker("w2", 100);
    held.put("w2", 6);
    Model m = model(List.of());

    RouteDecision decision = order(true).decide(m, List.of(external, w1, w2), request());

    assertThat(decision.endpoints()).containsExactly(external, w2, w1);
  }

  @Test
  void shouldDoNothingWhenSwitchedOff() {
    Endpoint w1 = worker("w1", 100);
    Endpoint w2 = worker("w2", 100);
    held.put("w2", 6);
    Model m = model(List.of());

    RouteDecision decision = order(false).decide(m, List.of(w1, w2), request());

    assertThat(decision.prefixAffinity()).isNull();
    assertThat(decision.metadata().has("prefix_affinity")).isFalse();
  }
}
