package dev.silkroute.router.api;

import dev.silkroute.router.core.RouterError;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Gives the errors Micronaut raises itself (unknown path, wrong method, body too large, unreadable
 * body) the same shape as the router's own ({@link ErrorShape}: OpenAI's, or OpenRouter's under
 * {@code /api/}), so a client never has to parse two error formats. Never echoes an
 * exception's internals.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
final class ApiErrorResponseProcessor implements ErrorResponseProcessor<Map<String, Object>> {

  @Override
  public MutableHttpResponse<Map<String, Object>> processResponse(ErrorContext context,
                                  MutableHttpResponse<?> response) {
    HttpStatus status = response.getStatus();
    String message = switch (status) {
      case NOT_FOUND -> "Unknown request URL: " + context.getRequest().getMethodName() + " "
          + context.getRequest().getPath();
      case METHOD_NOT_ALLOWED -> "Method " + context.getRequest().getMethodName() + " is not allowed on "
          + context.getRequest().getPath();
      case REQUEST_ENTITY_TOO_LARGE -> "The request body is larger than this server accepts";
      case UNSUPPORTED_MEDIA_TYPE -> "Send the request body as application/json";
      default -> status.getCode() >= 500 ? "The server had an error while processing your request"
          : context.getErrors().stream().map(Error::getMessage).findFirst().orElse(status.getReason());
    };
    RouterError error = new RouterError(HttpErrors.kindOf(status.getCode()), message, null,
        status.name().toLowerCase(java.util.Locale.ROOT));
    @SuppressWarnings("unchecked")
    MutableHttpResponse<Map<String, Object>> typed = (MutableHttpResponse<Map<String, Object>>) response;
    ErrorShape shape = ErrorShape.forPath(context.getRequest().getPath());
    return typed.contentType(MediaType.APPLICATION_JSON_TYPE).body(shape.body(error, status.getCode()));
  }
}
