package dev.silkroute.router.core;

import dev.silkroute.contracts.ErrorBody;
import java.util.Map;

/**
 * An error answered to the client: status, OpenAI's fields, and an optional {@code metadata} object
 * (provider, upstream error) so no cause is hidden. One value, written in OpenAI's or OpenRouter's
 * shape by the edge (api.ErrorShape, grpc.ErrorStatus) depending on where the client called.
 *
 * @param status HTTP status
 * @param type   OpenAI error type, e.g. "invalid_request_error"
 * @param param  the request field at fault, or null
 * @param code   machine-readable code, e.g. "model_not_found", or null
 */
public record ApiError(int status, String type, String message, String param, String code,
           Map<String, Object> metadata) {

  public static ApiError invalidRequest(String message, String param) {
    return new ApiError(400, ErrorBody.INVALID_REQUEST_ERROR, message, param, "invalid_request", Map.of());
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "authentication_error", message, null, "invalid_api_key", Map.of());
  }

  public static ApiError modelNotFound(String model) {
    return new ApiError(404, ErrorBody.INVALID_REQUEST_ERROR, "The model '" + model + "' does not exist",
        "model", "model_not_found", Map.of());
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, ErrorBody.INVALID_REQUEST_ERROR, message, null, "not_found", Map.of());
  }

  public static ApiError upstreamFailed(String message, Map<String, Object> metadata) {
    return new ApiError(502, "upstream_error", message, null, "provider_error", metadata);
  }
}
