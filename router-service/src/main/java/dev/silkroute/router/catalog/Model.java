package dev.silkroute.router.catalog;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A model the router offers, with the endpoints that can serve it.
 *
 * @param id                  "author/slug", e.g. "deepseek/deepseek-chat-v3"
 * @param name                display name
 * @param contextLength       maximum prompt + completion tokens
 * @param endpoints           the external endpoints serving it (run-time ones, such as workers, come
 *                            from an {@code EndpointSource})
 * @param details             modalities, parameters, weights and licence
 */
public record Model(String id, String name, long contextLength, List<Endpoint> endpoints, Details details) {

  public Model {
    endpoints = List.copyOf(endpoints);
    details = details == null ? Details.TEXT : details;
  }

  public Model(String id, String name, long contextLength, List<Endpoint> endpoints) {
    this(id, name, contextLength, endpoints, Details.TEXT);
  }

  /** Whether the model turns text into vectors (its output modality is "embeddings") rather than text. */
  public boolean embeds() {
    return details.outputModalities().contains(Details.EMBEDDINGS);
  }

  /** The author part of the id ("deepseek" in "deepseek/deepseek-chat-v3"), for analytics. */
  public String author() {
    return id.substring(0, id.indexOf('/'));
  }

  /**
   * What a model is beyond its name.
   *
   * @param inputModalities     e.g. ["text", "image"]
   * @param outputModalities    e.g. ["text"]
   * @param supportedParameters request parameters the model honours (e.g. "tools", "response_format",
   *                            "reasoning"); endpoints may state a narrower list
   * @param openWeights         whether the weights are published (so self-hosted workers may serve it)
   * @param licence             the weights' licence (e.g. "MIT", "apache-2.0"), or the terms of use
   * @param dimensions          for an embedding model, the size of its vectors (the most a request's
   *                            {@code dimensions} may ask for); 0 for any other model
   */
  public record Details(List<String> inputModalities, List<String> outputModalities,
                        Set<String> supportedParameters, boolean openWeights, Optional<String> licence,
                        int dimensions) {

    /** The output modality of embedding models, as OpenRouter lists it. */
    public static final String EMBEDDINGS = "embeddings";

    public static final Details TEXT = new Details(List.of("text"), List.of("text"), Set.of(), false,
        Optional.empty());

    public Details {
      inputModalities = List.copyOf(inputModalities);
      outputModalities = List.copyOf(outputModalities);
      supportedParameters = Set.copyOf(supportedParameters);
      if (dimensions < 0) {
        throw new IllegalArgumentException("dimensions must be >= 0, got " + dimensions);
      }
    }

    /** Details of a model that is not an embedding model. */
    public Details(List<String> inputModalities, List<String> outputModalities, Set<String> supportedParameters,
                   boolean openWeights, Optional<String> licence) {
      this(inputModalities, outputModalities, supportedParameters, openWeights, licence, 0);
    }
  }
}
