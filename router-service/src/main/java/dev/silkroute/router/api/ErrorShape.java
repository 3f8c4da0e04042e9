package dev.silkroute.router.api;

import dev.silkroute.contracts.ErrorBody;
import dev.silkroute.router.core.RouterError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two ways one {@link RouterError} is written at the HTTP edge, chosen by the path the client
 * called: OpenAI's SDKs (base URL {@code /v1}) expect {@code error.code} to be a string and read
 * {@code type} and {@code param}; OpenRouter's (base URL {@code /api/v1}) validate
 * {@code {"error": {"code": <HTTP status>, "message", "metadata"}}} and reject a string code.
 */
public enum ErrorShape {

  /** {@code {"error": {"message", "type", "param", "code": "<string>", "metadata"?}}}. */
  OPENAI {
    @Override
    public Map<String, Object> body(RouterError error, int status) {
      return new ErrorBody(error.message(), HttpErrors.openAiType(error.kind()), error.param(), error.code(),
          error.metadata()).toJson();
    }
  },

  /**
   * {@code {"error": {"code": <status>, "message", "metadata"?}}}, as OpenRouter documents it. The
   * field at fault, which OpenAI's shape carries in {@code param}, goes into {@code metadata}.
   */
  OPENROUTER {
    @Override
    public Map<String, Object> body(RouterError error, int status) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", status);
      body.put("message", error.message());
      Map<String, Object> metadata = new LinkedHashMap<>(error.metadata());
      if (error.param() != null) {
        metadata.put("param", error.param());
      }
      if (!metadata.isEmpty()) {
        body.put("metadata", metadata);
      }
      return Map.of("error", body);
    }
  };

  /** The JSON body of {@code error} in this shape, answered with its kind's status. */
  public Map<String, Object> body(RouterError error) {
    return body(error, HttpErrors.status(error.kind()));
  }

  /** The JSON body of {@code error} in this shape, answered with {@code status}. */
  public abstract Map<String, Object> body(RouterError error, int status);

  /** OpenRouter's shape under {@code /api/} (where its clients point), OpenAI's everywhere else. */
  public static ErrorShape forPath(String path) {
    return path != null && (path.equals("/api") || path.startsWith("/api/")) ? OPENROUTER : OPENAI;
  }
}
