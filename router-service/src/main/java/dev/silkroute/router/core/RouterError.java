package dev.silkroute.router.core;

import java.util.Map;

/**
 * An error answered to the client, as a value: its kind, a message for people, the request field at
 * fault, a machine-readable code, and {@code metadata} (provider, upstream status and body) so no
 * cause is hidden. The core says nothing about protocols; each edge writes it in its own shape
 * (api.HttpErrors and api.ErrorShape, grpc.ErrorStatus, the Anthropic and Responses edges).
 *
 * @param param the request field at fault, or null
 * @param code  machine-readable code, e.g. "model_not_found", or null
 */
public record RouterError(ErrorKind kind, String message, String param, String code, Map<String, Object> metadata) {

  public RouterError {
    metadata = metadata == null ? Map.of() : metadata;
  }

  public RouterError(ErrorKind kind, String message, String param, String code) {
    this(kind, message, param, code, Map.of());
  }

  public static RouterError invalidRequest(String message, String param) {
    return new RouterError(ErrorKind.INVALID_REQUEST, message, param, "invalid_request");
  }

  public static RouterError unauthorized(String message) {
    return new RouterError(ErrorKind.UNAUTHENTICATED, message, null, "invalid_api_key");
  }

  public static RouterError modelNotFound(String model) {
    return new RouterError(ErrorKind.NOT_FOUND, "The model '" + model + "' does not exist", "model",
        "model_not_found");
  }

  public static RouterError notFound(String message) {
    return new RouterError(ErrorKind.NOT_FOUND, message, null, "not_found");
  }

  public static RouterError upstreamFailed(String message, Map<String, Object> metadata) {
    return new RouterError(ErrorKind.UPSTREAM_FAILED, message, null, "provider_error", metadata);
  }

  public static RouterError internal() {
    return new RouterError(ErrorKind.INTERNAL, "The server had an error while processing your request", null,
        "internal");
  }}
