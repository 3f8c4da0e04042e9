package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.http.HttpTransport;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.RoutingSettings;
import dev.silkroute.router.usage.UsagePublisher;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.List;

/** Wires the embeddings exchange to the router's routing, admission, usage and upstream transport. */
@Factory
final class EmbeddingsBeans {

  @Singleton
  EmbeddingRequestParser embeddingRequestParser(ObjectMapper json) {
    return new EmbeddingRequestParser(json);
  }

  @Singleton
  Embedder embedder(MarketOrder order, List<EndpointSource> sources, List<EmbeddingCaller> others,
                    HttpTransport transport, Admission admission, UsagePublisher usage, ObjectMapper json,
                    RouterSettings settings, RoutingSettings routing) {
    // OpenAI-compatible providers here; other protocols (workers) from their features, when enabled.
    List<EmbeddingCaller> callers = new java.util.ArrayList<>(others);
    callers.add(new EmbeddingUpstream(transport, json));
    return new Embedder(order, sources, callers, admission, usage, json,
        routing.timeouts(settings.firstByteTimeout()), Clock.systemUTC(), System::nanoTime, settings.instanceName());
  }
}
