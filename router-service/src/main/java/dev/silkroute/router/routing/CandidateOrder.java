package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.chat.ChatRequest;
import java.util.List;

/**
 * Decides which endpoints may serve a request, and in which order they are tried: the first is
 * the pick, the rest are fallbacks, used only while nothing has reached the client.
 */
@FunctionalInterface
public interface CandidateOrder {

  /**
   * @param available the model's catalog endpoints plus those of every {@link EndpointSource}
   */
  List<Endpoint> order(Model model, List<Endpoint> available, ChatRequest request);
}
