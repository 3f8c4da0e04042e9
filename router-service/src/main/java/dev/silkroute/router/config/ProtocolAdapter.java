package dev.silkroute.router.config;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.ProviderAdapter;

/** A bean that registers one adapter for one protocol; collected into the router's adapters. */
public record ProtocolAdapter(Endpoint.Protocol protocol, ProviderAdapter adapter) {
}
