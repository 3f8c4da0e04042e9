package dev.silkroute.router.catalog;

import java.net.URI;
import java.util.Optional;

/**
 * One way to serve a model: a provider's API at a base URL, under the provider's own model name.
 *
 * @param id            stable id, "provider/author/slug" (e.g. "deepseek/deepseek/deepseek-chat-v3")
 * @param provider      provider name, e.g. "deepseek", "together"
 * @param protocol      how to talk to it
 * @param baseUrl       base URL up to and including the version, e.g. "https://api.deepseek.com/v1"
 * @param upstreamModel the model name the provider expects
 * @param apiKey        the provider's API key, when it needs one (resolved from the environment)
 * @param price         what the customer pays for tokens served here
 * @param cost          what the provider charges us (equal to price unless the catalog says otherwise)
 */
public record Endpoint(String id, String provider, Protocol protocol, URI baseUrl, String upstreamModel,
           Optional<String> apiKey, Pricing price, Pricing cost) {

  /** Wire protocols the router speaks to upstreams: OpenAI or Anthropic HTTP, or our Worker gRPC. */
  public enum Protocol { OPENAI, ANTHROPIC, WORKER }
}
