package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.proto.v1.ChatRequest;
import dev.silkroute.proto.v1.ChatResponse;
import dev.silkroute.proto.v1.ListModelsRequest;
import dev.silkroute.proto.v1.ListModelsResponse;
import dev.silkroute.proto.v1.Model;
import dev.silkroute.proto.v1.RouterGrpc;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.chat.ChatRequestParser;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.models.ModelListing;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Router gRPC service: the HTTP API's semantics over gRPC. A request is written as the OpenAI
 * JSON an HTTP client would send, parsed by the same {@link ChatRequestParser} and served by the
 * same {@link ChatRouter}; errors become gRPC statuses by {@link ErrorStatus}.
 *
 * <p>No thread waits for an answer: each rpc starts the router's pipeline and returns, and the call
 * is answered from the pipeline's completion. A client's cancel of ChatStream reaches the router
 * through gRPC's cancel handler, which closes the upstream at once.
 */
final class RouterService extends RouterGrpc.RouterImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(RouterService.class);
  private static final RouterError INTERNAL = new RouterError(ErrorKind.INTERNAL, "The server had an error while processing your request", null, "internal", Map.of());

  private final ChatRequestParser parser;
  private final ChatRouter router;
  private final ModelListing models;
  private final ObjectMapper json;
  private final ChatRequestJson requests;
  private final Executor continueOn;

  /**
   * @param calls the gRPC server's own executor, where gRPC runs this service's methods and the
   *              calls' cancel handlers. The router's pipeline continues there after each Redis
   *              reply and upstream end, because: it is never a transport thread (Netty's event
   *              loops, which grpc-java does not let a service reach, so the HTTP edge's choice of
   *              the request's own event loop is not open here); it is never Lettuce's I/O thread,
   *              which a direct executor would leave the work on, and which serves every request's
   *              Redis replies one after another; and a wait there (a usage event handed over while
   *              Kafka is unreachable) holds one thread of a cached pool, not a loop that serves
   *              other calls.
   */
  RouterService(ChatRequestParser parser, ChatRouter router, ModelListing models, ObjectMapper json,
                Executor calls) {
    this.parser = parser;
    this.router = router;
    this.models = models;
    this.json = json;
    this.requests = new ChatRequestJson(json);
    this.continueOn = ChatRouter.orInline(calls);
  }

  @Override
  public void chat(ChatRequest request, StreamObserver<ChatResponse> responses) {
    ServerCallStreamObserver<ChatResponse> call = (ServerCallStreamObserver<ChatResponse>) responses;
    CompletableFuture<ObjectNode> answer;
    try {
      answer = router.completeAsync(ChatRouter.newGenerationId(), BearerAuth.CALLER.get(), parse(request, false),
          false, continueOn);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    // Completes on continueOn, or here for a request that does not parse.
    answer.whenComplete((completion, failure) -> {
      if (call.isCancelled()) {
        return; // nobody listens; the request was settled all the same
      }
      if (failure == null) {
        try {
          call.onNext(ChatAnswers.response(completion));
          call.onCompleted();
          return;
        } catch (RuntimeException unreadable) {
          failure = unreadable;
        }
      }
      call.onError(status(unwrap(failure), "Chat"));
    });
  }

  @Override
  public void chatStream(ChatRequest request, StreamObserver<ChatChunk> chunks) {
    Cancellation cancellation = new Cancellation();
    ChunkObserverOut out = new ChunkObserverOut((ServerCallStreamObserver<ChatChunk>) chunks, cancellation);
    CompletableFuture<Void> answered;
    try {
      answered = router.streamAsync(ChatRouter.newGenerationId(), BearerAuth.CALLER.get(), parse(request, true),
          out, cancellation, false, continueOn);
    } catch (RuntimeException e) {
      answered = CompletableFuture.failedFuture(e);
    }
    // A success needs nothing more: the router ended the stream before it settled. A failure completes
    // where the settlement's Redis reply arrived (Lettuce's thread) and is answered on continueOn. The
    // router fails with an RouterException only before the first chunk, when a status is still possible;
    // anything else ends the call as INTERNAL, unless it has ended already.
    answered.whenComplete((settled, failure) -> {
      if (failure != null) {
        continueOn.execute(() -> out.failed(status(unwrap(failure), "ChatStream")));
      }
    });
  }

  private static StatusRuntimeException status(Throwable failure, String rpc) {
    if (failure instanceof RouterException e) {
      return ErrorStatus.of(e.error());
    }
    LOG.error(rpc + " failed", failure);
    return ErrorStatus.of(INTERNAL);
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
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

  private dev.silkroute.router.core.ChatRequest parse(ChatRequest request, boolean stream) {
    return parser.parse(requests.toOpenAi(request, stream));
  }
}
