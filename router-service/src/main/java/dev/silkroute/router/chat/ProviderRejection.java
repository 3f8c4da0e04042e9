package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.Outcome;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A provider's refusal of the request itself (400, 413, 422: {@link Outcome#CALLER_ERROR}): the
 * caller's fault, answered as such with the provider's own words, never as "every provider failed".
 *
 * <p>The router does not try the next endpoint after one: every endpoint gets the same request, so
 * a body one provider finds malformed is malformed for the next too, and trying on would only add
 * latency and end with the last provider's refusal. (A limit that differs between providers, such
 * as a smaller context, is the planner's business: it filters by context length and parameters.)
 */
final class ProviderRejection {

  private ProviderRejection() {
  }

  /** The client's error for {@code failure}, when it is a refusal of the request; else empty. */
  static Optional<RouterError> of(UpstreamException failure, ObjectMapper json) {
    if (Outcome.of(failure) != Outcome.CALLER_ERROR) {
      return Optional.empty();
    }
    // OpenAI's and Anthropic's error bodies both carry error.message; OpenAI's also error.param.
    JsonNode error = parse(failure.upstreamBody(), json).path("error");
    String said = error.path("message").isTextual() ? error.path("message").asText() : failure.getMessage();
    String param = error.path("param").isTextual() ? error.path("param").asText() : null;
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("provider_name", failure.provider());
    metadata.put("upstream_status", failure.status());
    if (failure.upstreamBody() != null) {
      metadata.put("raw", failure.upstreamBody());
    }
    ErrorKind kind = failure.status() == 413 ? ErrorKind.REQUEST_TOO_LARGE : ErrorKind.INVALID_REQUEST;
    return Optional.of(new RouterError(kind,
        "Provider " + failure.provider() + " rejected the request: " + said, param, "provider_rejected_request",
        metadata));
  }

  private static JsonNode parse(String body, ObjectMapper json) {
    if (body == null) {
      return json.missingNode();
    }
    try {
      JsonNode parsed = json.readTree(body);
      return parsed == null ? json.missingNode() : parsed;
    } catch (IOException notJson) {
      return json.missingNode();
    }
  }
}
