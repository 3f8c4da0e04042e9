package dev.silkroute.router.provider;

/**
 * An upstream failed to serve a request: it answered an error status, timed out, or broke the
 * connection. Carries what the upstream said, so the client's error can name the real cause.
 */
public final class UpstreamException extends Exception {

  private final String provider;
  private final int status;
  private final String upstreamBody;
  private final java.time.Duration retryAfter;
  private final boolean atCapacity;

  public UpstreamException(String provider, int status, String message, String upstreamBody, Throwable cause) {
    this(provider, status, message, upstreamBody, cause, null);
  }

  /** @param retryAfter how long the upstream asked us to wait (its 429's Retry-After), or null */
  public UpstreamException(String provider, int status, String message, String upstreamBody, Throwable cause,
                           java.time.Duration retryAfter) {
    this(provider, status, message, upstreamBody, cause, retryAfter, false);
  }

  private UpstreamException(String provider, int status, String message, String upstreamBody, Throwable cause,
                            java.time.Duration retryAfter, boolean atCapacity) {
    super(message, cause);
    this.provider = provider;
    this.status = status;
    this.upstreamBody = upstreamBody;
    this.retryAfter = retryAfter;
    this.atCapacity = atCapacity;
  }

  /**
   * The endpoint was not called: every slot it has is taken by requests in flight from all routers
   * (a self-hosted worker at its capacity). Says nothing about its health; a slot may free up soon.
   */
  public static UpstreamException atCapacity(String provider, String message) {
    return new UpstreamException(provider, 429, message, null, null, null, true);
  }

  /** Whether the endpoint was passed over because it is full ({@link #atCapacity(String, String)}). */
  public boolean atCapacity() {
    return atCapacity;
  }

  public java.util.Optional<java.time.Duration> retryAfter() {
    return java.util.Optional.ofNullable(retryAfter);
  }

  public String provider() {
    return provider;
  }

  /** The upstream's HTTP status, or 0 when it never answered one (timeout, refused, reset). */
  public int status() {
    return status;
  }

  public String upstreamBody() {
    return upstreamBody;
  }
}
