package dev.silkroute.router.catalog;

import java.net.URI;
import java.util.Optional;
import java.util.Set;

/**
 * One way to serve a model: a provider's API (or one self-hosted worker) at a base URL, under the
 * provider's own model name.
 *
 * @param id            stable id, "provider/author/slug" (e.g. "deepseek/deepseek/deepseek-chat-v3")
 * @param provider      provider name, e.g. "deepseek", "together"
 * @param protocol      how to talk to it
 * @param baseUrl       base URL up to and including the version, e.g. "https://api.deepseek.com/v1";
 *                      for a worker, its gRPC address
 * @param upstreamModel the model name the provider expects
 * @param apiKey        the provider's API key, when it needs one (resolved from the environment)
 * @param price         what the customer pays for tokens served here
 * @param cost          what the provider charges us (equal to price unless the catalog says otherwise);
 *                      for a worker, its marginal cost (GPU price per hour over measured throughput)
 * @param traits        what routing filters on; {@link Traits#UNKNOWN} where nothing is known
 */
public record Endpoint(String id, String provider, Protocol protocol, URI baseUrl, String upstreamModel,
                       Optional<String> apiKey, Pricing price, Pricing cost, Traits traits) {

  /** Wire protocols the router speaks to upstreams: OpenAI or Anthropic HTTP, or our Worker gRPC. */
  public enum Protocol { OPENAI, ANTHROPIC, WORKER }

  public Endpoint {
    traits = traits == null ? Traits.UNKNOWN : traits;
  }

  /** An endpoint about which nothing beyond its address and prices is known. */
  public Endpoint(String id, String provider, Protocol protocol, URI baseUrl, String upstreamModel,
                  Optional<String> apiKey, Pricing price, Pricing cost) {
    this(id, provider, protocol, baseUrl, upstreamModel, apiKey, price, cost, Traits.UNKNOWN);
  }

  /**
   * The worker id inside a WORKER endpoint's id, {@code <provider>/<worker-id>/<author>/<slug>}
   * (as {@code workers.WorkerEndpoints} names them); empty for any other protocol.
   */
  public Optional<String> workerId() {
    if (protocol != Protocol.WORKER) {
      return Optional.empty();
    }
    String[] parts = id.split("/", 3);
    return parts.length == 3 ? Optional.of(parts[1]) : Optional.empty();
  }

  public Endpoint withTraits(Traits newTraits) {
    return new Endpoint(id, provider, protocol, baseUrl, upstreamModel, apiKey, price, cost, newTraits);
  }

  /**
   * What routing needs to know beyond address and price.
   *
   * @param quantization        weights' precision ("fp8", "bf16", "int4", ...), or "unknown"
   * @param maxContextTokens    prompt + completion limit here; 0 = the model's context length
   * @param maxOutputTokens     completion limit here; 0 = no limit of its own
   * @param requestsPerMinute   the provider's rate limit for us; 0 = none known
   * @param dataPolicy          what the provider does with prompts
   * @param supportedParameters request parameters honoured here (e.g. "tools", "response_format");
   *                            empty = not stated, the model's list applies
   * @param predictedTtftMs     for run-time endpoints (workers): the predicted time to first token
   *                            given the current queue; -1 = no prediction
   * @param firstByteTimeoutMs  a fixed first-byte timeout for this endpoint, replacing the adaptive one
   *                            (see {@code UpstreamTimeouts}); 0 = adaptive
   */
  public record Traits(String quantization, long maxContextTokens, long maxOutputTokens, int requestsPerMinute,
                       DataPolicy dataPolicy, Set<String> supportedParameters, long predictedTtftMs,
                       long firstByteTimeoutMs) {

    public static final Traits UNKNOWN = new Traits("unknown", 0, 0, 0, DataPolicy.UNKNOWN, Set.of(), -1);

    /** Traits with the adaptive first-byte timeout. */
    public Traits(String quantization, long maxContextTokens, long maxOutputTokens, int requestsPerMinute,
                  DataPolicy dataPolicy, Set<String> supportedParameters, long predictedTtftMs) {
      this(quantization, maxContextTokens, maxOutputTokens, requestsPerMinute, dataPolicy, supportedParameters,
          predictedTtftMs, 0);
    }

    public Traits {
      quantization = quantization == null || quantization.isBlank() ? "unknown" : quantization;
      dataPolicy = dataPolicy == null ? DataPolicy.UNKNOWN : dataPolicy;
      supportedParameters = Set.copyOf(supportedParameters);
    }

    public Traits withPredictedTtftMs(long millis) {
      return new Traits(quantization, maxContextTokens, maxOutputTokens, requestsPerMinute, dataPolicy,
          supportedParameters, millis, firstByteTimeoutMs);
    }
  }
}
