package dev.silkroute.router.api;

import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Answers an {@link RouterException} with its status and a body in the shape the called path speaks. */
@Produces
@Singleton
@Requires(classes = {RouterException.class, ExceptionHandler.class})
final class RouterExceptionHandler implements ExceptionHandler<RouterException, HttpResponse<?>> {

  @Override
  public HttpResponse<?> handle(HttpRequest request, RouterException exception) {
    return respond(exception.error(), ErrorShape.forPath(request.getPath()));
  }

  /**
   * {@code answer}, with a refusal ({@link RouterException}) turned into its response right here. The
   * routes a client calls on every request use it: Micronaut's own path for a failed future looks the
   * exception handler up per error, which was a sixth of the router's CPU when it refused overload.
   */
  static CompletableFuture<HttpResponse<?>> refusalsAnswered(CompletableFuture<HttpResponse<?>> answer,
                                                             HttpRequest<?> request) {
    return answer.exceptionally(failure -> {
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof RouterException refusal) {
        return respond(refusal.error(), ErrorShape.forPath(request.getPath()));
      }
      throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
    });
  }

  static HttpResponse<?> respond(RouterError error, ErrorShape shape) {
    return respond(error, shape, shape.status(error));
  }

  /** {@code error} answered with {@code status}: Micronaut's own refusals keep theirs (405, 415, ...). */
  static HttpResponse<?> respond(RouterError error, ErrorShape shape, int status) {
    // Not HttpStatus.valueOf: Anthropic's 529 is no standard status.
    MutableHttpResponse<?> response = HttpResponse.status(status, status == 529 ? "Overloaded"
            : HttpStatus.getDefaultReason(status))
        .contentType(MediaType.APPLICATION_JSON_TYPE)
        .body(shape.body(error, status));
    // A rate-limit refusal tells the client when to come back, as OpenAI's and OpenRouter's do.
    if (error.metadata().get("retry_after_seconds") instanceof Number seconds) {
      response.header(HttpHeaders.RETRY_AFTER, String.valueOf(seconds.longValue()));
    }
    if (error.metadata().get("headers") instanceof java.util.Map<?, ?> headers) {
      headers.forEach((name, value) -> response.header(String.valueOf(name), String.valueOf(value)));
    }
    return response;
  }
}
