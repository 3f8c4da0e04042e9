package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import java.util.List;

/**
 * Endpoints that come and go at run time rather than from the catalog, such as the self-hosted
 * workers that currently serve a model. Consulted for every request.
 */
@FunctionalInterface
public interface EndpointSource {

  List<Endpoint> endpoints(Model model);
}
