package dev.silkroute.billing.admin;

import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;

/**
 * Renders every error Micronaut itself produces (unknown route, wrong method, unreadable body,
 * bad path or query value, unhandled exception) in OpenAI's error shape. 5xx messages are generic
 * so that no exception text or stack trace reaches a client.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
final class OpenAiErrorBody implements JsonErrorResponseBodyProvider<ApiError> {

  @Override
  public ApiError body(ErrorContext context, HttpResponse<?> response) {
    int status = response.code();
    if (status >= 500) {
      return ApiError.server("Internal error in billing-service.", "internal_error");
    }
    String message = context.getErrors().isEmpty()
        ? response.reason()
        : context.getErrors().get(0).getMessage();
    String param = context.getErrors().isEmpty()
        ? null
        : context.getErrors().get(0).getPath().orElse(null);
    String code = switch (status) {
      case 401 -> "unauthorized";
      case 404 -> "not_found";
      case 405 -> "method_not_allowed";
      case 413 -> "request_too_large";
      case 415 -> "unsupported_media_type";
      default -> "invalid_request";
    };
    return ApiError.invalidRequest(message, param, code);
  }
}
