package dev.silkroute.router.catalog;

import java.net.URI;
import java.util.Optional;

/**
 * An external provider the router can send requests to.
 *
 * @param name          the catalog key, e.g. "deepseek"; the provider name in responses and usage
 * @param kind          what it is, e.g. "first-party" (the model's author), "inference-host", "aggregator"
 * @param protocol      how to talk to it
 * @param baseUrl       base URL up to and including the version
 * @param credentialEnv the environment variable holding its API key, when it needs one
 * @param dataPolicy    what it does with prompts
 */
public record Provider(String name, String kind, Endpoint.Protocol protocol, URI baseUrl,
                       Optional<String> credentialEnv, DataPolicy dataPolicy) {
}
