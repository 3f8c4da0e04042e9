package dev.silkroute.router.grpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.silkroute.proto.v1.ChatChunk;
import dev.silkroute.router.chat.SseOut;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The router's stream output for a gRPC call: each JSON chunk becomes a {@link ChatChunk} message,
 * {@code [DONE]} ends the call. Once the client cancels, chunks are dropped and the router, which
 * polls {@link #cancelled()}, stops the upstream.
 */
final class ChunkObserverOut implements SseOut {

  private final ServerCallStreamObserver<ChatChunk> call;
  private final ObjectReader chunks;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private boolean ended;

  /** Must be created on the call's thread, before the first message (gRPC's rule for the cancel handler). */
  ChunkObserverOut(ServerCallStreamObserver<ChatChunk> call, ObjectMapper json) {
    this.call = call;
    // Costs are decimal USD derived from micro-USD: read them as decimals, never as doubles.
    this.chunks = json.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    call.setOnCancelHandler(() -> cancelled.set(true));
  }

  @Override
  public void data(String json) {
    if (cancelled.get() || ended) {
      return;
    }
    try {
      call.onNext(ChatAnswers.chunk(chunks.readTree(json)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the router emitted a chunk that is not JSON", e);
    }
  }

  @Override
  public void done() {
    if (!cancelled.get() && !ended) {
      ended = true;
      call.onCompleted();
    }
  }

  boolean cancelled() {
    return cancelled.get();
  }

  boolean ended() {
    return ended;
  }
}
