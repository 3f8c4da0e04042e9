package dev.silkroute.router.provider.http;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * The upstream HTTP transport's settings ({@code silkroute.upstream-http.*}), checked at start-up.
 *
 * @param connectTimeout   how long opening a connection to an upstream may take
 * @param idleTimeout      how long a kept-alive connection may wait for its next request before it is
 *                         closed; below what providers allow (commonly 60 s or more), so that the
 *                         router, not the provider, closes idle connections and a request rarely
 *                         meets one the provider is closing at that moment
 * @param maxIdlePerOrigin kept-alive connections per upstream (scheme, host, port) and event loop;
 *                         more are closed when they finish
 */
@ConfigurationProperties("silkroute.upstream-http")
public record UpstreamHttpSettings(
    @Bindable(defaultValue = "5s") Duration connectTimeout,
    @Bindable(defaultValue = "30s") Duration idleTimeout,
    @Bindable(defaultValue = "256") int maxIdlePerOrigin) {

  public UpstreamHttpSettings {
    if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("silkroute.upstream-http.connect-timeout must be positive, got "
          + connectTimeout);
    }
    if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("silkroute.upstream-http.idle-timeout must be positive, got " + idleTimeout);
    }
    if (maxIdlePerOrigin < 0) {
      throw new IllegalArgumentException("silkroute.upstream-http.max-idle-per-origin must be >= 0, got "
          + maxIdlePerOrigin);
    }
  }

  public static UpstreamHttpSettings ofDefaults() {
    return new UpstreamHttpSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), 256);
  }
}
