package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.WorkerEmbedRequest;
import dev.silkroute.proto.v1.WorkerEmbedResponse;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerVector;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.embeddings.EmbeddingCaller;
import dev.silkroute.router.embeddings.EmbeddingRequest;
import dev.silkroute.router.provider.UpstreamException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Embeddings from Silkroute's own workers: one {@code Embed} call to the worker named in the
 * endpoint, charged to it across routers for its duration ({@link InflightCharges}) as a generation
 * is, answered in OpenAI's list shape ({@code encoding_format: base64} encoded here, as OpenAI does).
 *
 * <p>Failures are {@link UpstreamException}s with the status a provider would give (full: 429, gone
 * or draining: 503, no embeddings in its engine: 501, too slow: 0 with an {@link HttpTimeoutException}
 * as for providers), so the router tries the next endpoint. Asynchronous: grpc-java's async stub.
 */
public final class WorkerEmbeddings implements EmbeddingCaller {

  private final Function<String, Optional<LiveWorker>> workers;
  private final InflightCharges charges;
  private final ObjectMapper json;

  WorkerEmbeddings(Function<String, Optional<LiveWorker>> workers, InflightCharges charges, ObjectMapper json) {
    this.workers = workers;
    this.charges = charges;
    this.json = json;
  }

  @Override
  public Endpoint.Protocol protocol() {
    return Endpoint.Protocol.WORKER;
  }

  @Override
  public CompletableFuture<Answer> embedAsync(Endpoint endpoint, EmbeddingRequest request, Duration timeout) {
    try {
      String workerId = endpoint.workerId()
          .orElseThrow(() -> new IllegalArgumentException("not a worker endpoint: " + endpoint.id()));
      Optional<LiveWorker> live = workers.apply(workerId);
      if (live.isEmpty()) {
        return CompletableFuture.failedFuture(failure(endpoint, 503, "worker " + workerId + " left the registry",
            null));
      }
      LiveWorker worker = live.get();
      WorkerEmbedRequest embed = request(endpoint, request);
      CompletableFuture<Answer> answer = new CompletableFuture<>();
      charges.claimAsync(workerId, worker.capacity()).whenComplete((charge, unexpected) -> {
        if (unexpected != null) {
          answer.completeExceptionally(unexpected);
        } else if (charge.isEmpty()) {
          answer.completeExceptionally(UpstreamException.atCapacity(endpoint.provider(), "worker " + workerId
              + " is full (requests in flight from every router reached its capacity " + worker.capacity() + ")"));
        } else {
          answer.whenComplete((done, failed) -> charge.get().close());
          call(endpoint, worker, embed, request, timeout, answer);
        }
      });
      return answer;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void call(Endpoint endpoint, LiveWorker worker, WorkerEmbedRequest embed, EmbeddingRequest request,
                    Duration timeout, CompletableFuture<Answer> answer) {
    boolean base64 = "base64".equals(request.body().path("encoding_format").asText(null));
    try {
      WorkerGrpc.newStub(worker.channel())
          .withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS)
          .withExecutor(Runnable::run) // turning vectors into JSON never blocks
          .embed(embed, new StreamObserver<>() {
            @Override
            public void onNext(WorkerEmbedResponse response) {
              if (response.getVectorsCount() != request.inputs()) {
                answer.completeExceptionally(failure(endpoint, 200, "worker answered " + response.getVectorsCount()
                    + " embeddings for " + request.inputs() + " inputs", null));
                return;
              }
              answer.complete(new Answer(list(response, base64), response.getPromptTokens()));
            }

            @Override
            public void onError(Throwable error) {
              answer.completeExceptionally(failure(endpoint, error));
            }

            @Override
            public void onCompleted() {
              answer.completeExceptionally(failure(endpoint, 502, "worker answered no embeddings", null));
            }
          });
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
    }
  }

  /** The texts as the client sent them (a string or an array of strings), for the worker's model. */
  private static WorkerEmbedRequest request(Endpoint endpoint, EmbeddingRequest request) {
    WorkerEmbedRequest.Builder embed = WorkerEmbedRequest.newBuilder().setModel(endpoint.upstreamModel());
    JsonNode input = request.body().get("input");
    if (input.isArray()) {
      input.forEach(text -> embed.addInputs(text.asText()));
    } else {
      embed.addInputs(input.asText());
    }
    request.dimensions().ifPresent(embed::setDimensions);
    return embed.build();
  }

  private ObjectNode list(WorkerEmbedResponse response, boolean base64) {
    ObjectNode body = json.createObjectNode().put("object", "list");
    ArrayNode data = body.putArray("data");
    for (int i = 0; i < response.getVectorsCount(); i++) {
      WorkerVector vector = response.getVectors(i);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.getValuesCount() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        vector.getValuesList().forEach(bytes::putFloat);
        item.put("embedding", Base64.getEncoder().encodeToString(bytes.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        vector.getValuesList().forEach(values::add);
      }
    }
    body.putObject("usage").put("prompt_tokens", response.getPromptTokens())
        .put("total_tokens", response.getPromptTokens());
    return body;
  }

  private static UpstreamException failure(Endpoint endpoint, Throwable error) {
    Status status = Status.fromThrowable(error);
    String message = "worker answered " + status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription());
    return switch (status.getCode()) {
      case RESOURCE_EXHAUSTED -> failure(endpoint, 429, message, error);
      case UNAVAILABLE, CANCELLED -> failure(endpoint, 503, message, error);
      case UNIMPLEMENTED -> failure(endpoint, 501, message, error);
      case NOT_FOUND -> failure(endpoint, 404, message, error);
      // Its own mistake in a request the router checked: not the caller's fault, so not a 400.
      case INVALID_ARGUMENT, OUT_OF_RANGE -> failure(endpoint, 502, message, error);
      // As a provider that never answered in time.
      case DEADLINE_EXCEEDED -> failure(endpoint, 0, message, new HttpTimeoutException(message));
      default -> failure(endpoint, 502, message, error);
    };
  }

  private static UpstreamException failure(Endpoint endpoint, int status, String message, Throwable cause) {
    return new UpstreamException(endpoint.provider(), status, message, null, cause);
  }
}
