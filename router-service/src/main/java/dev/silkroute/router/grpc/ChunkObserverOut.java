package dev.silkroute.router.grpc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.router.chat.ChunkOut;
import dev.silkroute.router.core.Cancellation;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * The router's stream output for a gRPC call: each JSON chunk becomes a {@link ChatChunk} message,
 * {@code [DONE]} ends the call. The client's cancel fires the request's {@link Cancellation} at once
 * (gRPC's cancel handler, on the server's executor), which closes the upstream; chunks still on their
 * way are dropped.
 *
 * <p>The router calls one method at a time, as a {@link ServerCallStreamObserver} requires, though not
 * always from the same thread. No flow control beyond gRPC's own buffering: an upstream is read as
 * fast as its provider generates and cannot be paused, and an answer is bounded by its max_tokens, so
 * a slow reader holds at most one answer in memory.
 */
final class ChunkObserverOut implements ChunkOut {

  private final ServerCallStreamObserver<ChatChunk> call;
  private final Cancellation cancellation;
  private volatile boolean ended;

  /** Must be created on the call's thread, before the first message (gRPC's rule for the cancel handler). */
  ChunkObserverOut(ServerCallStreamObserver<ChatChunk> call, Cancellation cancellation) {
    this.call = call;
    this.cancellation = cancellation;
    call.setOnCancelHandler(cancellation::cancel);
  }

  @Override
  public void chunk(ObjectNode chunk, boolean more) {
    if (cancelled() || ended) {
      return;
    }
    call.onNext(ChatAnswers.chunk(chunk));
  }

  @Override
  public void done() {
    if (!cancelled() && !ended) {
      ended = true;
      call.onCompleted();
    }
  }

  /** Ends the call with {@code status} instead of {@code [DONE]}. */
  void failed(StatusRuntimeException status) {
    if (!cancelled() && !ended) {
      ended = true;
      call.onError(status);
    }
  }

  boolean cancelled() {
    return cancellation.isCancelled();
  }

  boolean ended() {
    return ended;
  }
}
