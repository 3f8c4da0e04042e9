package dev.silkroute.router.models;

import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /v1/models}, {@code /v1/models/{author}/{slug}} and
 * {@code /v1/models/{author}/{slug}/endpoints}, also under {@code /api/v1}. Public, like
 * OpenRouter's: the catalog is what a client needs to see before it has a key.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
final class ModelsController {

  private final ModelListing listing;

  ModelsController(ModelListing listing) {
    this.listing = listing;
  }

  @Get(uris = {"/v1/models", "/api/v1/models"})
  HttpResponse<String> list() {
    return json(listing.list().toString());
  }

  @Get(uris = {"/v1/models/{author}/{slug}", "/api/v1/models/{author}/{slug}"})
  HttpResponse<String> model(@PathVariable String author, @PathVariable String slug) {
    String id = author + "/" + slug;
    return json(listing.model(id).map(listing::modelObject)
        .orElseThrow(() -> new RouterException(RouterError.modelNotFound(id))).toString());
  }

  @Get(uris = {"/v1/models/{author}/{slug}/endpoints", "/api/v1/models/{author}/{slug}/endpoints"})
  HttpResponse<String> endpoints(@PathVariable String author, @PathVariable String slug) {
    String id = author + "/" + slug;
    return json(listing.endpointsObject(id)
        .orElseThrow(() -> new RouterException(RouterError.modelNotFound(id))).toString());
  }

  private static HttpResponse<String> json(String body) {
    return HttpResponse.ok(body).contentType(MediaType.APPLICATION_JSON_TYPE);
  }
}
