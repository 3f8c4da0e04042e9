package dev.silkroute.router.metrics;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * {@code GET /v1/providers/health}: what the built-in dashboard (served by billing, another origin)
 * shows as provider health and worker load. Public like /health and /prometheus: it says how
 * endpoints perform, nothing about customers. A plain GET without credentials is a "simple" CORS
 * request, so one Access-Control-Allow-Origin header on this path is all a browser needs; CORS is
 * not opened for the rest of the API.
 */
@Controller
final class ProviderHealthController {

  private final ProviderHealth health;

  ProviderHealthController(ProviderHealth health) {
    this.health = health;
  }

  @Get(uris = {"/v1/providers/health", "/api/v1/providers/health"})
  HttpResponse<ProviderHealth.Report> health() {
    return HttpResponse.ok(health.now())
        .header("Access-Control-Allow-Origin", "*")
        .header("Cache-Control", "no-store");
  }
}
