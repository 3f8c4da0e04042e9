package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.chat.ChatRequest;
import java.util.Comparator;
import java.util.List;

/** Every available endpoint, cheapest list price first (prompt plus completion per million tokens). */
public final class CheapestFirst implements CandidateOrder {

  private static final Comparator<Endpoint> BY_PRICE = Comparator.comparingLong(
      e -> e.price().promptMicrosPerMillion() + e.price().completionMicrosPerMillion());

  @Override
  public List<Endpoint> order(Model model, List<Endpoint> available, ChatRequest request) {
    return available.stream().sorted(BY_PRICE).toList();
  }
}
