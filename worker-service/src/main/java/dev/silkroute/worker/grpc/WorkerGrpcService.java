package dev.silkroute.worker.grpc;

import dev.silkroute.proto.v1.DrainRequest;
import dev.silkroute.proto.v1.WorkerEmbedRequest;
import dev.silkroute.proto.v1.WorkerEmbedResponse;
import dev.silkroute.proto.v1.WorkerVector;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.StatusRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.worker.dispatch.Dispatcher;
import dev.silkroute.worker.dispatch.Submission;
import dev.silkroute.worker.engine.EmbeddingRequest;
import dev.silkroute.worker.engine.GenerationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The Worker gRPC service: maps the contract onto the {@link Dispatcher}. Status codes: bad input
 * INVALID_ARGUMENT, unknown model NOT_FOUND, full RESOURCE_EXHAUSTED, draining or engine failure
 * UNAVAILABLE; each with a description.
 */
public final class WorkerGrpcService extends WorkerGrpc.WorkerImplBase {
  private final Dispatcher dispatcher;
  private final WorkerStatusReport statusReport;
  private final GenerateRequests requests;
  private final LongSupplier nanoTime;

  public WorkerGrpcService(Dispatcher dispatcher, WorkerStatusReport statusReport, int defaultMaxTokens,
      LongSupplier nanoTime) {
    this.dispatcher = dispatcher;
    this.statusReport = statusReport;
    this.requests = new GenerateRequests(defaultMaxTokens);
    this.nanoTime = nanoTime;
  }

  @Override
  public void generate(GenerateRequest request, StreamObserver<GenerateChunk> responseObserver) {
    long arrivedNanos = nanoTime.getAsLong();
    ServerCallStreamObserver<GenerateChunk> call = (ServerCallStreamObserver<GenerateChunk>) responseObserver;
    GenerationRequest core;
    try {
      core = requests.toCore(request);
    } catch (StatusRuntimeException e) {
      call.onError(e);
      return;
    }
    // The cancel handler must be set before the first message; the generation it cancels comes after.
    AtomicReference<Runnable> cancel = new AtomicReference<>();
    call.setOnCancelHandler(() -> {
      Runnable c = cancel.getAndSet(null);
      if (c != null) {
        c.run();
      }
    });
    Submission submission = dispatcher.submit(core, new ChunkStream(call, nanoTime, arrivedNanos));
    if (submission instanceof Submission.Rejected rejected) {
      call.onError(statusOf(rejected).asRuntimeException());
      return;
    }
    cancel.set(((Submission.Accepted) submission).cancel());
    if (call.isCancelled()) {
      Runnable c = cancel.getAndSet(null);
      if (c != null) {
        c.run();
      }
    }
  }

  /**
   * Embeds through the dispatcher's admission; UNIMPLEMENTED when the engine makes no embeddings,
   * INVALID_ARGUMENT for no inputs or a non-positive dimensions, UNAVAILABLE when the engine failed.
   */
  @Override
  public void embed(WorkerEmbedRequest request, StreamObserver<WorkerEmbedResponse> responseObserver) {
    ServerCallStreamObserver<WorkerEmbedResponse> call = (ServerCallStreamObserver<WorkerEmbedResponse>) responseObserver;
    if (!dispatcher.embeds()) {
      call.onError(Status.UNIMPLEMENTED.withDescription("this worker's engine makes no embeddings")
          .asRuntimeException());
      return;
    }
    if (request.getModel().isBlank()) {
      call.onError(Status.INVALID_ARGUMENT.withDescription("model must not be empty").asRuntimeException());
      return;
    }
    if (request.getInputsCount() == 0) {
      call.onError(Status.INVALID_ARGUMENT.withDescription("inputs must not be empty").asRuntimeException());
      return;
    }
    if (request.hasDimensions() && request.getDimensions() < 1) {
      call.onError(Status.INVALID_ARGUMENT.withDescription("dimensions must be >= 1, was "
          + request.getDimensions()).asRuntimeException());
      return;
    }
    EmbeddingRequest core = new EmbeddingRequest(request.getRequestId(), request.getModel(), request.getInputsList(),
        request.hasDimensions() ? OptionalInt.of(request.getDimensions()) : OptionalInt.empty());
    AtomicReference<Runnable> cancel = new AtomicReference<>();
    call.setOnCancelHandler(() -> {
      Runnable c = cancel.getAndSet(null);
      if (c != null) {
        c.run();
      }
    });
    Submission submission = dispatcher.embed(core, (embeddings, failure) -> {
      if (call.isCancelled()) {
        return;
      }
      if (failure != null) {
        call.onError(Status.UNAVAILABLE.withDescription("engine failed: " + failure.getMessage())
            .withCause(failure).asRuntimeException());
        return;
      }
      WorkerEmbedResponse.Builder answer = WorkerEmbedResponse.newBuilder().setPromptTokens(embeddings.promptTokens());
      for (float[] vector : embeddings.vectors()) {
        WorkerVector.Builder values = WorkerVector.newBuilder();
        for (float value : vector) {
          values.addValues(value);
        }
        answer.addVectors(values);
      }
      call.onNext(answer.build());
      call.onCompleted();
    });
    if (submission instanceof Submission.Rejected rejected) {
      call.onError(statusOf(rejected).asRuntimeException());
      return;
    }
    cancel.set(((Submission.Accepted) submission).cancel());
    if (call.isCancelled()) {
      Runnable c = cancel.getAndSet(null);
      if (c != null) {
        c.run();
      }
    }
  }

  @Override
  public void status(StatusRequest request, StreamObserver<WorkerStatus> responseObserver) {
    responseObserver.onNext(statusReport.get());
    responseObserver.onCompleted();
  }

  @Override
  public void drain(DrainRequest request, StreamObserver<WorkerStatus> responseObserver) {
    dispatcher.drain().copy()
        .completeOnTimeout(null, Math.max(0, request.getTimeoutMs()), TimeUnit.MILLISECONDS)
        .whenComplete((ignored, error) -> {
          responseObserver.onNext(statusReport.get());
          responseObserver.onCompleted();
        });
  }

  private static Status statusOf(Submission.Rejected rejected) {
    Status status = switch (rejected.reason()) {
      case UNKNOWN_MODEL -> Status.NOT_FOUND;
      case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
      case DRAINING -> Status.UNAVAILABLE;
    };
    return status.withDescription(rejected.description());
  }
}
