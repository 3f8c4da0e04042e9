package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import java.util.function.LongSupplier;

/**
 * What an exchange needs to call upstreams: the adapter for each endpoint, the attempts' deadlines,
 * and the clock they run by. Adapters are asynchronous: no thread of their own.
 */
record Upstreams(ProviderAdapters adapters, Deadlines deadlines, LongSupplier nanos, ObjectMapper json) {

  ProviderAdapter adapter(Endpoint endpoint) {
    return adapters.forEndpoint(endpoint).orElseThrow();
  }
}
