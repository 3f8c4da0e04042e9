package dev.silkroute.worker.grpc;

import dev.silkroute.proto.v1.DrainRequest;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.StatusRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.worker.dispatch.Dispatcher;
import dev.silkroute.worker.dispatch.Submission;
import dev.silkroute.worker.engine.GenerationRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
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
