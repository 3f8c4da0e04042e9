package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Endpoints that come and go at run time rather than from the catalog, such as the self-hosted
 * workers that currently serve a model. Consulted for every request.
 */
@FunctionalInterface
public interface EndpointSource {

  List<Endpoint> endpoints(Model model);

  /**
   * The same without waiting, for the request path, which must not block its event loop. A source
   * that answers from memory needs nothing more than this default.
   */
  default CompletableFuture<List<Endpoint>> endpointsAsync(Model model) {
    return CompletableFuture.completedFuture(endpoints(model));
  }
}
