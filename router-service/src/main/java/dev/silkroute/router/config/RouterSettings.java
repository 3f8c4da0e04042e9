package dev.silkroute.router.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The router's own settings ({@code silkroute.router.*}), checked at start-up.
 *
 * @param catalog           the catalog YAML (models, endpoints, prices)
 * @param instance          this replica's name in usage events and on its worker charges; empty = host name.
 *                          Unique among live routers: a router starting releases the charges its name holds
 * @param spoolFile         where usage events wait while Kafka is unreachable
 * @param spoolMaxBytes     the spool's capacity; when full, new requests are refused with 503
 * @param usageQueueCapacity usage events that may wait for the publisher thread; when that many wait,
 *                          new requests are refused with 503
 * @param firstByteTimeout  the longest an upstream may take to start answering before the next is tried:
 *                          the ceiling of each endpoint's adaptive first-byte timeout, the last candidate's
 *                          timeout, and the upstream HTTP clients' own request timeout
 * @param streamCommitAfter how long a stream may wait for its first token before the router commits to
 *                          HTTP 200 and starts sending keep-alive comments; errors before then keep their status
 * @param keepAliveInterval the period of {@code : keep-alive} comments while a stream waits
 * @param generationRetention how long a generation's summary can be looked up after it ended
 * @param keyCacheTtl       how long an API key looked up in Redis is reused; billing's announcements evict
 *                          changed keys sooner, so this only bounds a missed one; a key in use is read again
 *                          in the background after half of it. 0 = look up every request
 * @param creditHoldFor     how long an admitted request's credit reservation is held if it is never settled
 *                          (its router died): then any router gives it back. Longer than requests last
 */
@ConfigurationProperties("silkroute.router")
public record RouterSettings(
    @NotNull(message = "silkroute.router.catalog must be set") @Bindable(defaultValue = "deploy/catalog.yaml") Path catalog,
    @Bindable(defaultValue = "") String instance,
    @NotNull(message = "silkroute.router.spool-file must be set")
    @Bindable(defaultValue = ".silkroute/router-usage.spool") Path spoolFile,
    @Min(value = 1024, message = "silkroute.router.spool-max-bytes must be at least 1024, got {validatedValue}")
    @Bindable(defaultValue = "268435456") long spoolMaxBytes,
    @Min(value = 1, message = "silkroute.router.usage-queue-capacity must be at least 1, got {validatedValue}")
    @Bindable(defaultValue = "10000") int usageQueueCapacity,
    @Bindable(defaultValue = "60s") Duration firstByteTimeout,
    @Bindable(defaultValue = "2s") Duration streamCommitAfter,
    @Bindable(defaultValue = "5s") Duration keepAliveInterval,
    @Bindable(defaultValue = "24h") Duration generationRetention,
    @Bindable(defaultValue = "5s") Duration keyCacheTtl,
    @Bindable(defaultValue = "15m") Duration creditHoldFor) {

  public RouterSettings {
    positive(firstByteTimeout, "silkroute.router.first-byte-timeout");
    positive(streamCommitAfter, "silkroute.router.stream-commit-after");
    positive(keepAliveInterval, "silkroute.router.keep-alive-interval");
    positive(generationRetention, "silkroute.router.generation-retention");
    positive(creditHoldFor, "silkroute.router.credit-hold-for");
    if (keyCacheTtl == null || keyCacheTtl.isNegative()) {
      throw new IllegalArgumentException("silkroute.router.key-cache-ttl must be 0 or more, got " + keyCacheTtl);
    }
  }

  /**
   * Whose worker charges this process takes: {@link #instance} when set, so that a restarted router
   * of that name releases what its earlier run left; else the host name and this process's id, so
   * that two unnamed routers on one host (or on a pod's host network) never take each other's live
   * charges for leftovers and release them (an unnamed router's charges expire with their lease).
   */
  public String chargeOwner() {
    return instance.isBlank() ? instanceName() + "-" + ProcessHandle.current().pid() : instance;
  }

  /** {@link #instance}, or the host name when it is not set (a pod's name in Kubernetes). */
  public String instanceName() {
    if (!instance.isBlank()) {
      return instance;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "router";
    }
  }

  private static void positive(Duration value, String property) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(property + " must be a positive duration, got " + value);
    }
  }
}
