package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** The {@link UpstreamException}s every HTTP dialect raises alike, so that they read the same whatever the protocol. */
public final class UpstreamFailures {

  /** How much of an upstream's error body is kept, bytes: enough for any provider's error object. */
  public static final int ERROR_BODY_LIMIT = 8192;

  private UpstreamFailures() {
  }

  /** No answer at all (refused, reset, timed out: status 0); {@code cause} is the transport's. */
  public static UpstreamException unreachable(Endpoint endpoint, Throwable cause) {
    return new UpstreamException(endpoint.provider(), 0, "provider could not be reached: "
        + cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage()), null, cause);
  }

  /** A non-2xx answer, with what its body said ({@code body} may be cut short, or null when it broke). */
  public static UpstreamException refused(Endpoint endpoint, int status, HttpHeaders headers, byte[] body, int length) {
    String text = body == null ? null : new String(body, 0, Math.min(length, ERROR_BODY_LIMIT), StandardCharsets.UTF_8);
    return new UpstreamException(endpoint.provider(), status, "provider answered HTTP " + status, text, null,
        retryAfter(headers));
  }

  /** The connection broke after the status came: a cut answer (the cause says it was I/O). */
  public static UpstreamException broke(Endpoint endpoint, int status, Throwable cause) {
    return new UpstreamException(endpoint.provider(), status, "provider's stream broke: " + cause.getMessage(), null,
        cause);
  }

  /** The cancelled exchange of a request whose client or deadline gave up. */
  public static UpstreamException cancelled(Endpoint endpoint) {
    return new UpstreamException(endpoint.provider(), 0, "call to provider cancelled", null, null);
  }

  /** Retry-After in its delta-seconds form; the HTTP-date form is rare for APIs and read as absent. */
  static Duration retryAfter(HttpHeaders headers) {
    String value = headers == null ? null : headers.get("Retry-After");
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
