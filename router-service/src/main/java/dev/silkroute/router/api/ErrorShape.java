package dev.silkroute.router.api;

import dev.silkroute.contracts.ErrorBody;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ways one {@link RouterError} is written at the HTTP edge, chosen by the path the client
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
  },

  /**
   * {@code {"type": "error", "error": {"type", "message"}}}, Anthropic's, with Anthropic's error type
   * for the kind. The field at fault is named in the message, where Anthropic names it.
   */
  ANTHROPIC {
    @Override
    public Map<String, Object> body(RouterError error, int status) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("type", anthropicType(error.kind()));
      body.put("message", error.message());
      Map<String, Object> envelope = new LinkedHashMap<>();
      envelope.put("type", "error");
      envelope.put("error", body);
      return envelope;
    }

    /**
     * Anthropic's clients retry 529 "overloaded" with backoff; that is what a router with no endpoint
     * free or every provider failing means to them. Providers that did not answer in time are
     * Anthropic's 504 timeout.
     */
    @Override
    public int status(RouterError error) {
      return switch (error.kind()) {
        case UPSTREAM_FAILED, UNAVAILABLE -> 529;
        case UPSTREAM_TIMEOUT -> 504;
        default -> HttpErrors.status(error.kind());
      };
    }
  };

  /** The JSON body of {@code error} in this shape, answered with its status in this shape. */
  public Map<String, Object> body(RouterError error) {
    return body(error, status(error));
  }

  /** The JSON body of {@code error} in this shape, answered with {@code status}. */
  public abstract Map<String, Object> body(RouterError error, int status);

  /** The HTTP status {@code error} is answered with in this shape. */
  public int status(RouterError error) {
    return HttpErrors.status(error.kind());
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

  /** Anthropic's error type for a kind, as its API documents them. */
  static String anthropicType(ErrorKind kind) {
    return switch (kind) {
      case INVALID_REQUEST -> "invalid_request_error";
      case REQUEST_TOO_LARGE -> "request_too_large";
      case UNAUTHENTICATED -> "authentication_error";
      case INSUFFICIENT_CREDIT -> "billing_error";
      case FORBIDDEN -> "permission_error";
      case NOT_FOUND -> "not_found_error";
      case RATE_LIMITED -> "rate_limit_error";
      case UPSTREAM_TIMEOUT -> "timeout_error";
      case UPSTREAM_FAILED, UNAVAILABLE -> "overloaded_error";
      case INTERNAL -> "api_error";
    };
  }
}
