package dev.silkroute.router.workers;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * Self-hosted workers as the router uses them ({@code silkroute.workers.*}; env
 * {@code SILKROUTE_WORKERS_*}), checked at start-up. Redis address and key prefix are
 * {@code silkroute.redis.*}, shared with the workers' heartbeats.
 *
 * @param enabled                whether the router routes to workers at all
 * @param resyncInterval         period of the full re-read of the registry (catches expired keys)
 * @param maxPredictedTtft       a worker predicted to start a request later than this is left out, so the
 *                               request spills over to external providers; a catalog pool's max_ttft_ms wins
 * @param marginPercent          customer price = highest worker cost + this margin, when the catalog has no
 *                               worker-pool price for the model
 * @param defaultTokensPerSecond throughput assumed for pricing a worker that has not yet reported any
 * @param prefillSpeedup         a prompt token costs a completion token divided by this
 * @param requestTimeout         gRPC deadline of one generation
 * @param chargeLease            how long an in-flight charge lasts if its router never releases it
 */
@ConfigurationProperties("silkroute.workers")
public record WorkerSettings(
    @Bindable(defaultValue = "true") boolean enabled,
    @Bindable(defaultValue = "2s") Duration resyncInterval,
    @Bindable(defaultValue = "2s") Duration maxPredictedTtft,
    @Bindable(defaultValue = "20") int marginPercent,
    @Bindable(defaultValue = "1000") double defaultTokensPerSecond,
    @Bindable(defaultValue = "10") double prefillSpeedup,
    @Bindable(defaultValue = "10m") Duration requestTimeout,
    @Bindable(defaultValue = "15m") Duration chargeLease) {

  public WorkerSettings {
    positive(resyncInterval, "silkroute.workers.resync-interval");
    positive(maxPredictedTtft, "silkroute.workers.max-predicted-ttft");
    positive(requestTimeout, "silkroute.workers.request-timeout");
    positive(chargeLease, "silkroute.workers.charge-lease");
    if (marginPercent < 0) {
      throw new IllegalArgumentException("silkroute.workers.margin-percent must be >= 0, got " + marginPercent);
    }
    if (!(defaultTokensPerSecond > 0)) {
      throw new IllegalArgumentException("silkroute.workers.default-tokens-per-second must be > 0, got "
          + defaultTokensPerSecond);
    }
    if (!(prefillSpeedup >= 1)) {
      throw new IllegalArgumentException("silkroute.workers.prefill-speedup must be >= 1, got " + prefillSpeedup);
    }
    if (chargeLease.compareTo(requestTimeout) <= 0) {
      // A charge that expired while its request still runs would let routers oversubscribe the worker.
      throw new IllegalArgumentException("silkroute.workers.charge-lease (" + chargeLease
          + ") must be longer than silkroute.workers.request-timeout (" + requestTimeout + ")");
    }
  }

  private static void positive(Duration value, String property) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(property + " must be a positive duration, got " + value);
    }
  }
}
