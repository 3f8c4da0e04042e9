package dev.silkroute.router.catalog;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * A model served by Silkroute's own GPU workers. The catalog states the customer price and targets;
 * which workers serve it right now is known only at run time (an {@code EndpointSource} of the
 * workers feature turns each live worker into an {@link Endpoint} with protocol
 * {@link Endpoint.Protocol#WORKER} and the worker's address as base URL).
 *
 * @param name          pool name, used as the endpoint's provider name (e.g. "silkroute")
 * @param modelId       the catalog model it serves
 * @param upstreamModel the model name the workers know
 * @param price         what the customer pays for tokens served by the pool
 * @param quantization  the weights' precision, e.g. "fp8"
 * @param maxTtftMs     configured latency target: a worker predicted to start later than this spills
 *                      the request over to external endpoints (the request's own
 *                      {@code preferred_max_latency} applies too)
 */
public record WorkerPool(String name, String modelId, String upstreamModel, Pricing price,
                         Optional<String> quantization, OptionalLong maxTtftMs) {
}
