package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What an exchange needs to call upstreams: the adapter for each endpoint, the attempts' deadlines,
 * the clock they run by, and the threads of the adapters that still block.
 */
record Upstreams(ProviderAdapters adapters, Deadlines deadlines, Executor blocking, LongSupplier nanos,
                 ObjectMapper json) {

  ProviderAdapter adapter(Endpoint endpoint) {
    return adapters.forEndpoint(endpoint).orElseThrow();
  }
}
