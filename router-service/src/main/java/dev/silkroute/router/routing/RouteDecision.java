package dev.silkroute.router.routing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The endpoints that may serve a request's model, in the order to try them, and the handle to try
 * them through ({@link #begin}). Belongs to one request; used by one thread at a time.
 */
public final class RouteDecision {

  /** An endpoint the request's options ruled out, and the option that did. */
  public record Rejection(Endpoint endpoint, String param, String reason) {
  }

  private final Model model;
  private final RoutingOptions options;
  private final String strategy;
  private final List<Endpoint> endpoints;
  private final Health[] health;
  private final double[] scores;
  private final List<Rejection> rejections;
  private final EndpointBoard board;
  private final StickySessions sessions;
  private final LongSupplier nanos;
  private final RequestTrace trace;
  private final EffectiveCost.Demand demand;
  private String prefixAffinity;
  private long prefixCachedTokens;

  RouteDecision(Model model, RoutingOptions options, String strategy, List<Endpoint> endpoints, Health[] health,
                double[] scores, List<Rejection> rejections, EndpointBoard board, StickySessions sessions,
                LongSupplier nanos, RequestTrace trace, EffectiveCost.Demand demand) {
    this.demand = demand;
    this.model = model;
    this.options = options;
    this.strategy = strategy;
    this.endpoints = endpoints;
    this.health = health;
    this.scores = scores;
    this.rejections = rejections;
    this.board = board;
    this.sessions = sessions;
    this.nanos = nanos;
    this.trace = trace;
  }

  public Model model() {
    return model;
  }

  /** The candidates in the order to try them: the first is the pick, the rest are fallbacks. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  /** "effective-cost", "weighted-price", "sticky", "sort:price", "sort:latency", "sort:throughput", "order". */
  public String strategy() {
    return strategy;
  }

  public List<Rejection> rejections() {
    return rejections;
  }

  /**
   * What prefix affinity did among the self-hosted workers: "holder" (the worker holding most of the
   * prompt's leading blocks is the first worker tried), "holder-busy" (its queue would make its first
   * token later, so it was not), "miss" (no worker holds any); null when it did not apply (no worker,
   * no whole prompt block, or switched off).
   */
  public String prefixAffinity() {
    return prefixAffinity;
  }

  /** Prompt tokens the first worker tried is expected to hold in its prefix cache. */
  public long prefixCachedTokens() {
    return prefixCachedTokens;
  }

  void prefixAffinity(String outcome, long cachedTokens) {
    prefixAffinity = outcome;
    prefixCachedTokens = cachedTokens;
  }

  /**
   * Takes a place at the endpoint for one attempt, or empty when it must be passed over now (open
   * circuit, bulkhead full, Retry-After or rate limit pending): then go on with the next endpoint.
   * An open circuit is tried anyway, once per request, when nothing before it was tried at all.
   */
  public Optional<Attempt> begin(Endpoint endpoint) {
    EndpointGuard guard = board.guard(endpoint);
    boolean lastResort = !trace.reachedUpstream && !trace.lastResortUsed && isLast(endpoint);
    Optional<EndpointGuard.Refusal> refusal = guard.acquire(lastResort);
    if (refusal.isPresent()) {
      trace.entries.add(new RequestTrace.Entry(model.id(), endpoint.id(), endpoint.provider(), "skipped",
          refusal.get().name().toLowerCase(Locale.ROOT), 0, -1));
      return Optional.empty();
    }
    trace.lastResortUsed |= lastResort;
    trace.reachedUpstream = true;
    return Optional.of(new Attempt(this, endpoint, guard, nanos));
  }

  /** The routing block for the response (header {@code X-Silkroute-Metadata: enabled}). */
  public ObjectNode metadata() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("requested_model", trace.requestedModel);
    root.put("model", model.id());
    root.put("strategy", strategy);
    affinity(root);
    candidates(root.putArray("candidates"));
    rejected(root.putArray("rejected"));
    attempts(root.putArray("attempts"));
    return root;
  }

  /** One routing block for several decisions of one request (the model, then {@code models[]} fallbacks). */
  public static ObjectNode metadata(List<RouteDecision> decisions) {
    if (decisions.size() == 1) {
      return decisions.get(0).metadata();
    }
    RouteDecision first = decisions.get(0);
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("requested_model", first.trace.requestedModel);
    root.put("strategy", first.strategy);
    ArrayNode models = root.putArray("models");
    for (RouteDecision decision : decisions) {
      ObjectNode m = models.addObject();
      m.put("model", decision.model.id()).put("strategy", decision.strategy);
      decision.affinity(m);
      decision.candidates(m.putArray("candidates"));
      decision.rejected(m.putArray("rejected"));
    }
    first.attempts(root.putArray("attempts"));
    return root;
  }

  void ended(Attempt attempt, Outcome outcome, String name, String status, long latencyMs, long ttftMs) {
    Endpoint endpoint = attempt.endpoint();
    trace.entries.add(new RequestTrace.Entry(model.id(), endpoint.id(), endpoint.provider(), name, status,
        latencyMs, ttftMs));
    options.sessionId().ifPresent(session -> {
      if (outcome == Outcome.OK && endpoint.price().discountsCachedPrompts()) {
        sessions.remember(session, model.id(), endpoint.id());
      } else if (outcome == Outcome.PROVIDER_ERROR || outcome == Outcome.RATE_LIMITED) {
        sessions.forget(session, model.id());
      }
    });
  }

  AttemptRecorder recorder() {
    return board.traffic();
  }

  long defaultRetryAfterMillis() {
    return board.settings().defaultRetryAfter().toMillis();
  }

  RequestTrace trace() {
    return trace;
  }

  private boolean isLast(Endpoint endpoint) {
    return !endpoints.isEmpty() && endpoints.get(endpoints.size() - 1) == endpoint;
  }

  private void candidates(ArrayNode out) {
    for (int i = 0; i < endpoints.size(); i++) {
      Endpoint e = endpoints.get(i);
      EndpointStats s = board.stats(e);
      ObjectNode c = out.addObject();
      c.put("endpoint", e.id()).put("provider", e.provider()).put("health", health[i].name().toLowerCase(Locale.ROOT))
          .put("score", scores[i])
          .put("price_prompt", e.price().promptMicrosPerMillion() / 1e6)
          .put("price_completion", e.price().completionMicrosPerMillion() / 1e6)
          .put("quantization", e.traits().quantization())
          // The request's expected cost here, USD: at list prices, and with the endpoint's measured cached share.
          .put("list_cost", EffectiveCost.listCost(e.price(), demand, s.mix()) / 1e6)
          .put("effective_cost", EffectiveCost.cost(e.price(), demand, s.mix()) / 1e6)
          .put("cached_share", EffectiveCost.cachedShare(s.mix()));
      if (!Double.isNaN(s.uptime5m())) {
        c.put("uptime_5m", s.uptime5m());
      }
      if (!Double.isNaN(s.uptime30m())) {
        c.put("uptime_30m", s.uptime30m());
      }
      if (s.ttftP50Ms() >= 0) {
        c.put("ttft_p50_ms", s.ttftP50Ms());
      }
      if (s.throughputP50() >= 0) {
        c.put("throughput_p50", s.throughputP50());
      }
    }
  }

  private void affinity(ObjectNode out) {
    if (prefixAffinity != null) {
      out.put("prefix_affinity", prefixAffinity).put("prefix_cached_tokens", prefixCachedTokens);
    }
  }

  private void rejected(ArrayNode out) {
    for (Rejection r : rejections) {
      out.addObject().put("endpoint", r.endpoint().id()).put("provider", r.endpoint().provider())
          .put("param", r.param()).put("reason", r.reason());
    }
  }

  private void attempts(ArrayNode out) {
    for (RequestTrace.Entry entry : trace.entries) {
      ObjectNode a = out.addObject();
      a.put("model", entry.model()).put("endpoint", entry.endpoint()).put("provider", entry.provider())
          .put("outcome", entry.outcome());
      if (entry.detail() != null) {
        a.put("detail", entry.detail());
      }
      if (!entry.outcome().equals("skipped")) {
        a.put("latency_ms", entry.latencyMs());
        if (entry.ttftMs() >= 0) {
          a.put("ttft_ms", entry.ttftMs());
        }
      }
    }
  }
}
