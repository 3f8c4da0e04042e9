package dev.silkroute.billing.admin;

import io.micronaut.http.HttpStatus;

/** A client-facing failure with its status and OpenAI-shaped body. */
public final class ApiException extends RuntimeException {

  private final HttpStatus status;
  private final ApiError error;

  private ApiException(HttpStatus status, ApiError error) {
    super(error.error().message(), null, false, false);
    this.status = status;
    this.error = error;
  }

  public static ApiException badRequest(String message, String param) {
    return new ApiException(HttpStatus.BAD_REQUEST,
        ApiError.invalidRequest(message, param, "invalid_value"));
  }

  public static ApiException notFound(String message, String param) {
    return new ApiException(HttpStatus.NOT_FOUND,
        ApiError.invalidRequest(message, param, "not_found"));
  }

  public static ApiException unauthorized(String message, String code) {
    return new ApiException(HttpStatus.UNAUTHORIZED, ApiError.invalidRequest(message, null, code));
  }

  HttpStatus status() {
    return status;
  }

  ApiError error() {
    return error;
  }
}
