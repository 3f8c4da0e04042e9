package dev.silkroute.billing.admin;

import com.fasterxml.jackson.annotation.JsonInclude;

/** OpenAI's error shape: {@code {"error":{"message","type","param","code"}}}. */
public record ApiError(Body error) {

  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Body(String message, String type, String param, String code) {
  }

  public static ApiError invalidRequest(String message, String param, String code) {
    return new ApiError(new Body(message, "invalid_request_error", param, code));
  }

  static ApiError server(String message, String code) {
    return new ApiError(new Body(message, "server_error", null, code));
  }
}
