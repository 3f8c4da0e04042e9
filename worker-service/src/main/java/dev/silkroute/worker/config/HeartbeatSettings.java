package dev.silkroute.worker.config;

import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;

/**
 * The worker's heartbeat into Redis ({@code silkroute.worker.heartbeat.*}).
 *
 * @param keyPrefix  prefix of the worker keys routers watch (the same as theirs)
 * @param interval   time between two regular beats
 * @param ttl        how long a beat stays without the next; longer than the interval
 * @param minSpacing least time between two beats triggered by changes
 */
@ConfigurationProperties("silkroute.worker.heartbeat")
public record HeartbeatSettings(
    @Bindable(defaultValue = "true") boolean enabled,
    @NotBlank(message = "silkroute.worker.heartbeat.key-prefix must not be blank") @Bindable(defaultValue = RedisKeys.DEFAULT_PREFIX) String keyPrefix,
    @Bindable(defaultValue = "1s") Duration interval,
    @Bindable(defaultValue = "5s") Duration ttl,
    @Bindable(defaultValue = "50ms") Duration minSpacing) {

  public HeartbeatSettings {
    WorkerConfigs.positive("silkroute.worker.heartbeat.interval", interval);
    WorkerConfigs.positive("silkroute.worker.heartbeat.ttl", ttl);
    WorkerConfigs.positive("silkroute.worker.heartbeat.min-spacing", minSpacing);
    if (ttl.compareTo(interval) <= 0) {
      throw new WorkerConfigs.ConfigException("silkroute.worker.heartbeat.ttl must be longer than "
          + "silkroute.worker.heartbeat.interval (" + interval + "), was '" + ttl + "'");
    }
  }
}
