package dev.silkroute.router.models;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/**
 * {@code GET /v1/models}, {@code /v1/models/{author}/{slug}} and
 * {@code /v1/models/{author}/{slug}/endpoints}, also under {@code /api/v1}, and OpenRouter's
 * {@code /api/v1/model/{author}/{slug}}. Public, like
 * OpenRouter's: the catalog is what a client needs to see before it has a key.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
final class ModelsController {

  private final ModelListing listing;

  ModelsController(ModelListing listing) {
    this.listing = listing;
  }

  /** OpenRouter's paging and filters (see {@link ModelQuery}); without them, every model. */
  @Get(uris = {"/v1/models", "/api/v1/models"})
  HttpResponse<String> list(HttpRequest<?> request, @Nullable @QueryValue String offset,
                            @Nullable @QueryValue String limit,
                            @Nullable @QueryValue("supported_parameters") String supportedParameters,
                            @Nullable @QueryValue("input_modalities") String inputModalities,
                            @Nullable @QueryValue("output_modalities") String outputModalities) {
    ModelQuery query = ModelQuery.parse(offset, limit, supportedParameters, inputModalities, outputModalities);
    return json(listing.list(query, request.getPath()).toString());
  }

  @Get(uris = {"/v1/models/{author}/{slug}", "/api/v1/models/{author}/{slug}"})
  HttpResponse<String> model(@PathVariable String author, @PathVariable String slug) {
    String id = author + "/" + slug;
    return json(listing.model(id).map(listing::modelObject)
        .orElseThrow(() -> new RouterException(RouterError.modelNotFound(id))).toString());
  }

  /** OpenRouter's single-model answer, {@code {"data": model}} (its SDK's {@code models.get}). */
  @Get("/api/v1/model/{author}/{slug}")
  HttpResponse<String> openRouterModel(@PathVariable String author, @PathVariable String slug) {
    String id = author + "/" + slug;
    ObjectNode answer = JsonNodeFactory.instance.objectNode();
    answer.set("data", listing.model(id).map(listing::modelObject)
        .orElseThrow(() -> new RouterException(RouterError.modelNotFound(id))));
    return json(answer.toString());
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
