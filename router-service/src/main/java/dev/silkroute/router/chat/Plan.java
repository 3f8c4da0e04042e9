package dev.silkroute.router.chat;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.routing.RouteDecision;
import dev.silkroute.router.routing.RoutingOptions;
import java.util.List;

/**
 * Where a request may go, and the most it can cost there.
 *
 * @param decisions          the model and its {@code models[]} fallbacks, each with its endpoints in order
 * @param worstCaseMicros    what admission reserves: the dearest endpoint at the longest answer
 * @param promptTokenEstimate the prompt's tokens as rate limits count them before the upstream reports
 */
record Plan(List<RouteDecision> decisions, RoutingOptions options, long worstCaseMicros, long promptTokenEstimate) {

  /** Every decision's endpoints, in the order the request tries them. */
  List<Candidate> candidates() {
    return decisions.stream()
        .flatMap(decision -> decision.endpoints().stream().map(endpoint -> new Candidate(decision, endpoint)))
        .toList();
  }

  /** An endpoint of one of the plan's decisions. */
  record Candidate(RouteDecision decision, Endpoint endpoint) {
  }
}
