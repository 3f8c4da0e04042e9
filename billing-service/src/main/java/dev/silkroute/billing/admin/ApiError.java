package dev.silkroute.billing.admin;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.silkroute.contracts.ErrorBody;
import java.util.Map;

/** An error answered in OpenAI's shape, as every Silkroute API answers them ({@link ErrorBody}). */
public record ApiError(ErrorBody error) {

  public static ApiError invalidRequest(String message, String param, String code) {
    return new ApiError(ErrorBody.of(message, ErrorBody.INVALID_REQUEST_ERROR, param, code));
  }

  static ApiError server(String message, String code) {
    return new ApiError(ErrorBody.of(message, ErrorBody.SERVER_ERROR, null, code));
  }

  /** Written as the contract's JSON object, so that null {@code param} and {@code code} stay present. */
  @JsonValue
  public Map<String, Object> json() {
    return error.toJson();
  }
}
