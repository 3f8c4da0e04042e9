package dev.silkroute.router.api;

import dev.silkroute.contracts.ErrorBody;
import dev.silkroute.router.core.ApiError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ways one {@link ApiError} is written at the HTTP edge, chosen by the path the client
 * called: OpenAI's SDKs (base URL {@code /v1}) expect {@code error.code} to be a string and read
 * {@code type} and {@code param}; OpenRouter's (base URL {@code /api/v1}) validate
 * {@code {"error": {"code": <HTTP status>, "message", "metadata"}}} and reject a string code;
 * Anthropic's (the Messages routes, under either base URL) read {@code {"type": "error", "error":
 * {"type", "message"}}} and some statuses of their own.
 */
public enum ErrorShape {

  /** {@code {"error": {"message", "type", "param", "code": "<string>", "metadata"?}}}. */
  OPENAI {
    @Override
    public Map<String, Object> body(ApiError error) {
      return new ErrorBody(error.message(), error.type(), error.param(), error.code(), error.metadata()).toJson();
    }
  },

  /**
   * {@code {"error": {"code": <status>, "message", "metadata"?}}}, as OpenRouter documents it. The
   * field at fault, which OpenAI's shape carries in {@code param}, goes into {@code metadata}.
   */
  OPENROUTER {
    @Override
    public Map<String, Object> body(ApiError error) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", error.status());
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
  },

  /**
   * {@code {"type": "error", "error": {"type", "message"}}}, Anthropic's, with Anthropic's error type
   * for the status. The field at fault is named in the message, where Anthropic names it.
   */
  ANTHROPIC {
    @Override
    public Map<String, Object> body(ApiError error) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("type", anthropicType(status(error)));
      body.put("message", error.message());
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("type", "error");
      envelope.put("error", body);
      return envelope;
    }

    /**
     * Anthropic's clients retry 529 "overloaded" with backoff; that is what a router with no endpoint
     * free (503) or every provider failing (502) means to them. A provider that did not answer in
     * time (408) is Anthropic's 504 timeout.
     */
    @Override
    public int status(ApiError error) {
      return switch (error.status()) {
        case 502, 503 -> 529;
        case 408 -> 504;
        default -> error.status();
      };
    }
  };

  /** The JSON body of {@code error} in this shape. */
  public abstract Map<String, Object> body(ApiError error);

  /** The HTTP status {@code error} is answered with in this shape. */
  public int status(ApiError error) {
    return error.status();
  }

  /**
   * Anthropic's shape on its Messages routes, OpenRouter's under {@code /api/} (where its clients
   * point), OpenAI's everywhere else.
   */
  public static ErrorShape forPath(String path) {
    if (path != null && (path.startsWith("/v1/messages") || path.startsWith("/api/v1/messages"))) {
      return ANTHROPIC;
    }
    return path != null && (path.equals("/api") || path.startsWith("/api/")) ? OPENROUTER : OPENAI;
  }

  /** Anthropic's error type for an HTTP status, as its API documents them. */
  static String anthropicType(int status) {
    return switch (status) {
      case 401 -> "authentication_error";
      case 402 -> "billing_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 413 -> "request_too_large";
      case 429 -> "rate_limit_error";
      case 504 -> "timeout_error";
      case 529 -> "overloaded_error";
      default -> status >= 500 ? "api_error" : "invalid_request_error";
    };
  }
}
