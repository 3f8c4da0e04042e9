package dev.silkroute.router.grpc;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * The gRPC front end's settings, beside the router's own ({@code silkroute.router.*}).
 *
 * @param grpcPort        {@code silkroute.router.grpc-port}: the port of the Router gRPC service;
 *                        0 = any free port (tests)
 * @param grpcMaxMessage  {@code silkroute.router.grpc-max-message}: the largest request accepted,
 *                        bytes; the same bound as the HTTP body limit
 */
@ConfigurationProperties("silkroute.router")
public record GrpcSettings(
    @Bindable(defaultValue = "9090") int grpcPort,
    @Bindable(defaultValue = "10485760") int grpcMaxMessage) {

  public GrpcSettings {
    if (grpcPort < 0 || grpcPort > 65_535) {
      throw new IllegalArgumentException("silkroute.router.grpc-port must be 0..65535, got " + grpcPort);
    }
    if (grpcMaxMessage < 1024) {
      throw new IllegalArgumentException("silkroute.router.grpc-max-message must be >= 1024 bytes, got "
          + grpcMaxMessage);
    }
  }
}
