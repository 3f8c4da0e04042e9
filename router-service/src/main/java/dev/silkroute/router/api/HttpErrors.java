package dev.silkroute.router.api;

import dev.silkroute.contracts.ErrorBody;
import dev.silkroute.router.core.ErrorKind;

/**
 * How the HTTP edge answers each {@link ErrorKind}: its status, and the error {@code type} of OpenAI's
 * shape (OpenRouter's shape carries the status as its code). gRPC reports the same status beside its
 * own code, so clients of both see one mapping.
 */
public final class HttpErrors {

  private HttpErrors() {
  }

  public static int status(ErrorKind kind) {
    return switch (kind) {
      case INVALID_REQUEST -> 400;
      case UNAUTHENTICATED -> 401;
      case INSUFFICIENT_CREDIT -> 402;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case UPSTREAM_TIMEOUT -> 408;
      case REQUEST_TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case INTERNAL -> 500;
      case UPSTREAM_FAILED -> 502;
      case UNAVAILABLE -> 503;
    };
  }

  /** OpenAI's error type for the kind. */
  public static String openAiType(ErrorKind kind) {
    return switch (kind) {
      case INVALID_REQUEST, REQUEST_TOO_LARGE, NOT_FOUND -> ErrorBody.INVALID_REQUEST_ERROR;
      case UNAUTHENTICATED -> "authentication_error";
      case INSUFFICIENT_CREDIT -> "insufficient_quota";
      case FORBIDDEN -> "permission_error";
      case UPSTREAM_TIMEOUT -> "timeout";
      case RATE_LIMITED -> "rate_limit_error";
      case INTERNAL -> "server_error";
      case UPSTREAM_FAILED -> "upstream_error";
      case UNAVAILABLE -> "service_unavailable";
    };
  }

  /** The kind Micronaut's own refusals (no route, wrong method, body too large, ...) are answered as. */
  public static ErrorKind kindOf(int status) {
    return switch (status) {
      case 401 -> ErrorKind.UNAUTHENTICATED;
      case 403 -> ErrorKind.FORBIDDEN;
      case 404 -> ErrorKind.NOT_FOUND;
      case 413 -> ErrorKind.REQUEST_TOO_LARGE;
      case 429 -> ErrorKind.RATE_LIMITED;
      case 503 -> ErrorKind.UNAVAILABLE;
      default -> status >= 500 ? ErrorKind.INTERNAL : ErrorKind.INVALID_REQUEST;
    };
  }
}
