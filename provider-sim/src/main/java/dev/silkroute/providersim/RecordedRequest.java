package dev.silkroute.providersim;

import java.util.Map;
import java.util.Optional;

/**
 * A request as a simulated provider received it, kept so tests can check what a client sent (headers,
 * forwarded parameters). Header names are lowercase; only the first value of each is kept.
 */
public record RecordedRequest(String method, String path, Map<String, String> headers, String body) {

  public RecordedRequest {
    headers = Map.copyOf(headers);
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(headers.get(name.toLowerCase(java.util.Locale.ROOT)));
  }
}
