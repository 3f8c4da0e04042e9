package dev.silkroute.contracts;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error as every Silkroute HTTP API answers it, in OpenAI's shape
 * {@code {"error": {"message", "type", "param", "code"}}} (OpenAI's {@code Error} schema), plus an
 * optional {@code metadata} object (provider, upstream error) so that no cause is hidden.
 *
 * @param type  OpenAI's error type, e.g. {@value #INVALID_REQUEST_ERROR}
 * @param param the request field at fault, or null
 * @param code  machine-readable, e.g. "model_not_found", or null
 */
public record ErrorBody(String message, String type, String param, String code, Map<String, Object> metadata) {

  public static final String INVALID_REQUEST_ERROR = "invalid_request_error";
  public static final String SERVER_ERROR = "server_error";

  public ErrorBody {
    // Not Map.copyOf: an upstream's metadata may hold nulls, which are worth showing as null.
    metadata = metadata == null || metadata.isEmpty() ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  public static ErrorBody of(String message, String type, String param, String code) {
    return new ErrorBody(message, type, param, code, Map.of());
  }

  /**
   * The JSON object, as maps for any JSON library to write. {@code param} and {@code code} are present
   * even when null, as OpenAI's schema requires; {@code metadata} only when there is some.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    if (!metadata.isEmpty()) {
      error.put("metadata", metadata);
    }
    return Map.of("error", error);
  }
}
