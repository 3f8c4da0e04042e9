package dev.silkroute.router.core;

/**
 * Carries a {@link RouterError} through a failed future or a throw, where the request is found at
 * fault; the edges catch it and answer the error in their shape.
 */
public final class RouterException extends RuntimeException {

  private final RouterError error;

  public RouterException(RouterError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public RouterError error() {
    return error;
  }
}
