package dev.silkroute.router.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.proto.v1.ChatRequest;
import dev.silkroute.proto.v1.ChatResponse;
import dev.silkroute.proto.v1.ListModelsRequest;
import dev.silkroute.proto.v1.ListModelsResponse;
import dev.silkroute.proto.v1.Model;
import dev.silkroute.proto.v1.RouterGrpc;
import dev.silkroute.router.api.ApiError;
import dev.silkroute.router.api.ApiException;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.models.ModelListing;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Router gRPC service: the HTTP API's semantics over gRPC. A request is written as the OpenAI
 * JSON an HTTP client would send, parsed by the same {@link ChatRequestParser} and served by the
 * same {@link ChatRouter}; errors become gRPC statuses by {@link ErrorStatus}.
 */
final class RouterService extends RouterGrpc.RouterImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);
  private static final ApiError INTERNAL = new ApiError(500, "server_error",
      "The server had an error while processing your request", null, "internal", Map.of());

  private final ChatRequestParser parser;
  private final ChatRouter router;
  private final ModelListing models;
  private final ObjectMapper json;
  private final ChatRequestJson requests;

  RouterService(ChatRequestParser parser, ChatRouter router, ModelListing models, ObjectMapper json) {
    this.parser = parser;
    this.router = router;
    this.models = models;
    this.json = json;
    this.requests = new ChatRequestJson(json);
  }

  @Override
  public void chat(ChatRequest request, StreamObserver<ChatResponse> responses) {
    try {
      var parsed = parse(request, false);
      responses.onNext(ChatAnswers.response(router.complete(ChatRouter.newGenerationId(), BearerAuth.CALLER.get(),
          parsed)));
      responses.onCompleted();
    } catch (ApiException e) {
      responses.onError(ErrorStatus.of(e.error()));
    } catch (RuntimeException e) {
      LOG.error("Chat failed", e);
      responses.onError(ErrorStatus.of(INTERNAL));
    }
  }

  @Override
  public void chatStream(ChatRequest request, StreamObserver<ChatChunk> chunks) {
    ChunkObserverOut out = new ChunkObserverOut((ServerCallStreamObserver<ChatChunk>) chunks, json);
    try {
      var parsed = parse(request, true);
      router.stream(ChatRouter.newGenerationId(), BearerAuth.CALLER.get(), parsed, out, out::cancelled);
    } catch (ApiException e) {
      // The router fails with an exception only before the first chunk, when a status is still possible.
      if (!out.cancelled()) {
        chunks.onError(ErrorStatus.of(e.error()));
      }
    } catch (RuntimeException e) {
      LOG.error("ChatStream failed", e);
      if (!out.cancelled() && !out.ended()) {
        chunks.onError(ErrorStatus.of(INTERNAL));
      }
    }
  }

  @Override
  public void listModels(ListModelsRequest request, StreamObserver<ListModelsResponse> responses) {
    ListModelsResponse.Builder list = ListModelsResponse.newBuilder();
    for (var model : models.models()) {
      Pricing price = models.lowestPrice(model);
      list.addModels(Model.newBuilder()
          .setId(model.id())
          .setName(model.name())
          .setCreated(models.created())
          .setContextLength(model.contextLength())
          .setPromptPricePerMillion(price.promptMicrosPerMillion() / 1e6)
          .setCompletionPricePerMillion(price.completionMicrosPerMillion() / 1e6)
          .addAllSupportedParameters(models.supportedParameters(model))
          .addAllInputModalities(model.details().inputModalities())
          .addAllOutputModalities(model.details().outputModalities()));
    }
    responses.onNext(list.build());
    responses.onCompleted();
  }

  private dev.silkroute.router.chat.ChatRequest parse(ChatRequest request, boolean stream) {
    try {
      return parser.parse(json.writeValueAsBytes(requests.toOpenAi(request, stream)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
