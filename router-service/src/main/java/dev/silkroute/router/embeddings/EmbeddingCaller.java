package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Asks endpoints of one protocol for embeddings: OpenAI-compatible providers over HTTP
 * ({@link EmbeddingUpstream}), Silkroute's own workers over gRPC (the workers feature adds its own).
 */
public interface EmbeddingCaller {

  /** The endpoints this caller serves. */
  Endpoint.Protocol protocol();

  /**
   * The answer for {@code request} from {@code endpoint}, under its own model name; fails with an
   * {@code UpstreamException} when the endpoint failed or refused (status 0 when it never answered,
   * its cause then an {@code HttpTimeoutException} after {@code timeout} without an answer).
   */
  CompletableFuture<Answer> embedAsync(Endpoint endpoint, EmbeddingRequest request, Duration timeout);

  /**
   * What the endpoint answered.
   *
   * @param body         OpenAI's list: {@code data} holds one {@code {object, index, embedding}} per input
   * @param promptTokens the prompt tokens it counted
   */
  record Answer(ObjectNode body, long promptTokens) {
  }
}
