package dev.silkroute.router.provider;

import dev.silkroute.router.catalog.Endpoint;

/** A bean that registers one adapter for one protocol; collected into the router's adapters. */
public record ProtocolAdapter(Endpoint.Protocol protocol, ProviderAdapter adapter) {
}
