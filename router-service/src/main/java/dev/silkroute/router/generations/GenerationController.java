package dev.silkroute.router.generations;

import dev.silkroute.router.auth.ApiKeys;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Map;

/** {@code GET /v1/generation?id=gen-...}: one of the caller's own generations (OpenRouter's endpoint). */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
final class GenerationController {

  private final ApiKeys keys;
  private final GenerationLog log;

  GenerationController(ApiKeys keys, GenerationLog log) {
    this.keys = keys;
    this.log = log;
  }

  @Get(uris = {"/v1/generation", "/api/v1/generation"}, produces = MediaType.APPLICATION_JSON)
  HttpResponse<?> generation(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization,
                             @Nullable @QueryValue String id) {
    String token = ApiKeys.presentedKey(authorization);
    Caller caller = keys.authenticate(token)
        .orElseThrow(() -> new RouterException(RouterError.unauthorized("Incorrect, revoked or missing API key")));
    if (id == null || id.isBlank()) {
      throw new RouterException(RouterError.invalidRequest("Missing required parameter: 'id'", "id"));
    }
    return log.find(id, caller.customerId())
        .<HttpResponse<?>>map(data -> HttpResponse.ok(Map.of("data", data)))
        .orElseThrow(() -> new RouterException(new RouterError(ErrorKind.NOT_FOUND, "Generation " + id + " not found (it may have expired)", "id", "generation_not_found", Map.of())));
  }
}
