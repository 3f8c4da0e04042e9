package dev.silkroute.router.core;

/** Ends a request with an {@link ApiError}; thrown where the request is found at fault. */
public final class ApiException extends RuntimeException {

  private final ApiError error;

  public ApiException(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }
}
