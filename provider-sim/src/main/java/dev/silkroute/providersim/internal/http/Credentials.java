package dev.silkroute.providersim.internal.http;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Reading the API key a client presented. */
public final class Credentials {

  private Credentials() {}

  /** The token of an {@code Authorization: Bearer ...} header. */
  public static Optional<String> bearer(HttpExchange exchange) {
    String value = exchange.getRequestHeaders().getFirst("Authorization");
    if (value == null || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    return Optional.of(value.substring(7).trim());
  }

  public static Optional<String> header(HttpExchange exchange, String name) {
    return Optional.ofNullable(exchange.getRequestHeaders().getFirst(name));
  }

  public static boolean matches(Optional<String> presented, String required) {
    return presented.isPresent() && MessageDigest.isEqual(
        presented.get().getBytes(StandardCharsets.UTF_8), required.getBytes(StandardCharsets.UTF_8));
  }
}
