package dev.silkroute.contracts;

import java.util.Optional;

/**
 * The token of an {@code Authorization: Bearer <token>} header (RFC 6750), as every Silkroute API reads
 * it: the scheme in any case, the token trimmed.
 */
public final class BearerToken {

  private static final String SCHEME = "Bearer ";

  private BearerToken() {
  }

  /**
   * The token, possibly empty ({@code "Bearer "} alone); empty when there is no header or it names
   * another scheme.
   */
  public static Optional<String> of(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    return Optional.of(authorization.substring(SCHEME.length()).trim());
  }

  /** The header value that presents {@code token}. */
  public static String header(String token) {
    return SCHEME + token;
  }
}
