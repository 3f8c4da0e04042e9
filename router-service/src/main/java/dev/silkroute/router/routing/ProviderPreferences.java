package dev.silkroute.router.routing;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The request's {@code provider} object, as OpenRouter documents it. Prices are micro-USD per million
 * tokens, latencies milliseconds, throughput tokens per second.
 *
 * @param order                  providers to try first, in this order
 * @param allowFallbacks         false: only the providers in {@code order} (or in {@code only}) are tried
 * @param requireParameters      only endpoints that honour every parameter the request uses
 * @param denyDataCollection     only providers that neither train on nor retain prompts
 * @param only                   only these providers (empty = any)
 * @param ignore                 never these providers
 * @param quantizations          only endpoints with one of these quantizations (empty = any)
 * @param sort                   a strict order instead of load balancing
 * @param maxPromptPrice         the most the caller pays per million prompt tokens
 * @param maxCompletionPrice     the most the caller pays per million completion tokens
 * @param preferredMaxLatencyMs  endpoints whose median time to first token is above this go after those within it
 * @param preferredMinThroughput endpoints whose median tokens per second is below this go after those above it
 * @param hedge                  false: never send this request to a second endpoint while the first is late
 *                               ({@code provider.hedge}, Silkroute's own; hedging is the router's setting)
 */
public record ProviderPreferences(List<String> order, boolean allowFallbacks, boolean requireParameters,
                                  boolean denyDataCollection, Set<String> only, Set<String> ignore,
                                  Set<String> quantizations, Optional<Sort> sort, OptionalLong maxPromptPrice,
                                  OptionalLong maxCompletionPrice, OptionalLong preferredMaxLatencyMs,
                                  OptionalLong preferredMinThroughput, boolean hedge) {

  public static final ProviderPreferences DEFAULTS = new ProviderPreferences(List.of(), true, false, false,
      Set.of(), Set.of(), Set.of(), Optional.empty(), OptionalLong.empty(), OptionalLong.empty(),
      OptionalLong.empty(), OptionalLong.empty(), true);

  public ProviderPreferences {
    order = List.copyOf(order);
    only = Set.copyOf(only);
    ignore = Set.copyOf(ignore);
    quantizations = Set.copyOf(quantizations);
  }

  boolean hasPreferences() {
    return preferredMaxLatencyMs.isPresent() || preferredMinThroughput.isPresent();
  }
}
