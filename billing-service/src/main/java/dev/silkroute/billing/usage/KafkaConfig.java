package dev.silkroute.billing.usage;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotBlank;

/** The Kafka cluster usage events come from ({@code silkroute.kafka.*}; env {@code SILKROUTE_KAFKA_BOOTSTRAP_SERVERS}). */
@Context // bound at start-up: a bad value stops it
@ConfigurationProperties("silkroute.kafka")
public record KafkaConfig(
    @NotBlank(message = "silkroute.kafka.bootstrap-servers must be set (host:port[,host:port])")
    @Bindable(defaultValue = "localhost:9092") String bootstrapServers) {
}
