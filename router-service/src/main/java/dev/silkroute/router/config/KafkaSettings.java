package dev.silkroute.router.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Kafka ({@code silkroute.kafka.*}; env {@code SILKROUTE_KAFKA_BOOTSTRAP_SERVERS}).
 *
 * @param bootstrapServers host:port[,host:port]
 * @param usageTopic       the topic usage events go to
 */
@ConfigurationProperties("silkroute.kafka")
public record KafkaSettings(
    @Bindable(defaultValue = "localhost:9092") String bootstrapServers,
    @Bindable(defaultValue = "silkroute.usage.v1") String usageTopic) {

  public KafkaSettings {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("silkroute.kafka.bootstrap-servers must be set");
    }
    if (usageTopic == null || usageTopic.isBlank()) {
      throw new IllegalArgumentException("silkroute.kafka.usage-topic must be set");
    }
  }
}
