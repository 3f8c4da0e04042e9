package dev.silkroute.billing.admin;

import io.micronaut.http.HttpStatus;

/** A client-facing failure with its status and OpenAI-shaped body. */
final class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final ApiError error;

  private ApiException(HttpStatus status, ApiError error) {
    super(error.error().message(), null, false, false);
    this.status = status;
    this.error = error;
  }

  static ApiException badRequest(String message, String param) {
    return new ApiException(HttpStatus.BAD_REQUEST,
        ApiError.invalidRequest(message, param, "invalid_value"));
  }

  static ApiException notFound(String message, String param) {
    return new ApiException(HttpStatus.NOT_FOUND,
        ApiError.invalidRequest(message, param, "not_found"));
  }

  HttpStatus status() {
    return status;
  }

  ApiError error() {
    return error;
  }
}
