package dev.silkroute.router.routing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.ChatRequest;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Endpoints and requests for routing tests. */
final class Fixtures {

  static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {
  }

  /** An endpoint of model "a/m" at provider {@code provider}, prompt and completion both {@code usd} per M. */
  static Endpoint endpoint(String provider, String usd) {
    long micros = new java.math.BigDecimal(usd).movePointRight(6).longValueExact();
    return endpoint(provider, new Pricing(micros, micros), traits("fp8", DataPolicy.NONE, Set.of(), 0));
  }

  static Endpoint endpoint(String provider, Pricing price, Endpoint.Traits traits) {
    return new Endpoint(provider + "/a/m", provider, Endpoint.Protocol.OPENAI,
        URI.create("http://127.0.0.1:1/" + provider + "/v1"), "m", Optional.empty(), price, price, traits);
  }

  static Endpoint.Traits traits(String quantization, DataPolicy policy, Set<String> parameters, long maxOutput) {
    return new Endpoint.Traits(quantization, 0, maxOutput, 0, policy, parameters, -1);
  }

  static Model model(List<Endpoint> endpoints) {
    return new Model("a/m", "A M", 100_000, endpoints, new Model.Details(List.of("text"), List.of("text"),
        Set.of("tools", "temperature", "max_tokens"), true, Optional.of("MIT")));
  }

  static ChatRequest request(String json) {
    try {
      ObjectNode body = (ObjectNode) JSON.readTree(json);
      OptionalLong maxTokens = body.has("max_tokens") ? OptionalLong.of(body.get("max_tokens").asLong())
          : OptionalLong.empty();
      return new ChatRequest(body.get("model").asText(), false, maxTokens, body, 5);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  /** A routing core on a manual clock with in-memory statistics and a seeded random. */
  static final class Core {
    final ManualClock clock = new ManualClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
    final TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
    final EndpointBoard board = new EndpointBoard(GuardSettings.ofDefaults(), stats, clock);
    final StickySessions sessions = new StickySessions(clock, java.time.Duration.ofMinutes(10));
    final java.util.Random random;
    Catalog catalog;
    final MarketOrder order;

    Core(long seed, Catalog catalog) {
      this.random = new java.util.Random(seed);
      this.catalog = catalog;
      this.order = new MarketOrder(board, sessions, () -> this.catalog, random::nextDouble, clock::nanos);
    }

    Core() {
      this(42, new Catalog(List.of()));
    }

    /** Records {@code ok} successes and {@code failed} provider errors for an endpoint, then refreshes. */
    void traffic(Endpoint endpoint, int ok, int failed, long ttftMs, long tokensPerSecond) {
      for (int i = 0; i < ok; i++) {
        stats.record(endpoint, Outcome.OK, ttftMs + 1000, ttftMs, tokensPerSecond, 1000);
      }
      for (int i = 0; i < failed; i++) {
        stats.record(endpoint, Outcome.PROVIDER_ERROR, 100, -1, 0, 0);
      }
      stats.refresh();
    }

    List<String> providers(Model model, String json) {
      return order.decide(model, model.endpoints(), request(json)).endpoints().stream()
          .map(Endpoint::provider).toList();
    }
  }
}
