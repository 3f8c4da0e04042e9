package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The adapter for each wire protocol the router speaks to upstreams. */
public final class ProviderAdapters {

  private final Map<Endpoint.Protocol, ProviderAdapter> byProtocol;

  public ProviderAdapters(Map<Endpoint.Protocol, ProviderAdapter> byProtocol) {
    this.byProtocol = byProtocol.isEmpty() ? Map.of() : new EnumMap<>(byProtocol);
  }

  public Optional<ProviderAdapter> forEndpoint(Endpoint endpoint) {
    return Optional.ofNullable(byProtocol.get(endpoint.protocol()));
  }
}
