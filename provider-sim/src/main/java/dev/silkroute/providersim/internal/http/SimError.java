package dev.silkroute.providersim.internal.http;

/**
 * An error answer before any byte of a response was sent; each {@link Dialect} renders it in its
 * provider's shape.
 *
 * @param param the request field at fault, or null
 * @param code a machine-readable code (OpenAI's {@code code}), or null
 */
public record SimError(Kind kind, String message, String param, String code) {

  public enum Kind {
    INVALID_REQUEST(400), AUTHENTICATION(401), NOT_FOUND(404), METHOD_NOT_ALLOWED(405),
    RATE_LIMITED(429), SERVER_ERROR(500);

    public final int status;

    Kind(int status) {
      this.status = status;
    }
  }

  public static SimError invalid(String message, String param) {
    return new SimError(Kind.INVALID_REQUEST, message, param, null);
  }

  public int status() {
    return kind.status;
  }
}
