package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.TokenUsage;
import dev.silkroute.router.provider.UpstreamException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Speaks the Worker gRPC protocol: a chat request becomes one {@code Generate} call to the worker
 * named in the endpoint, charged to it across routers for its duration ({@link InflightCharges}),
 * and its chunks become OpenAI {@code chat.completion.chunk}s. The final chunk's usage carries the
 * worker's measured cost (GPU time times its price) as the provider cost.
 *
 * <p>Failures before the first token (worker full: RESOURCE_EXHAUSTED, draining or down:
 * UNAVAILABLE, gone from the registry, charged full by other routers, no token within the first-byte
 * timeout) are {@link UpstreamException}s, so the router tries the next endpoint. A client that goes
 * away cancels the call, which stops the generation on the worker.
 *
 * <p>Asynchronous: grpc-java's async stub, with the call's callbacks run where the worker's messages
 * arrive (the channel's transport thread, no hop per chunk); nothing polls or waits.
 */
public final class WorkerAdapter implements ProviderAdapter {

  /** Serves every call's first-token timer; cancelled timers leave its queue at once. */
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final Function<String, Optional<LiveWorker>> workers;
  private final InflightCharges charges;
  private final ObjectMapper json;
  private final Duration firstByteTimeout;
  private final Duration requestTimeout;
  private final Clock clock;

  /**
   * @param workers        the live worker by id (the registry)
   * @param requestTimeout the gRPC deadline of a whole generation
   */
  WorkerAdapter(Function<String, Optional<LiveWorker>> workers, InflightCharges charges, ObjectMapper json,
                Duration firstByteTimeout, Duration requestTimeout, Clock clock) {
    this.workers = workers;
    this.charges = charges;
    this.json = json;
    this.firstByteTimeout = firstByteTimeout;
    this.requestTimeout = requestTimeout;
    this.clock = clock;
  }

  /** The stream, collected: a worker only streams. */
  @Override
  public CompletableFuture<Completion> completeAsync(Endpoint endpoint, ChatRequest request,
                                                    Cancellation cancellation) {
    StringBuilder text = new StringBuilder();
    Cancellation call = new Cancellation();
    cancellation.onCancel(call::cancel);
    CompletableFuture<Completion> answer = streamAsync(endpoint, request, chunk -> {
      String content = chunk.path("choices").path(0).path("delta").path("content").asText("");
      text.append(content);
    }, call).thenApply(end -> {
      if (cancellation.isCancelled()) {
        throw new java.util.concurrent.CompletionException(
            dev.silkroute.router.provider.UpstreamFailures.cancelled(endpoint));
      }
      if (!end.complete()) {
        throw new java.util.concurrent.CompletionException(new UpstreamException(endpoint.provider(), 502,
            "worker's stream ended before it finished", null, null));
      }
      ObjectNode body = header(endpoint, "chat.completion");
      ObjectNode choice = body.putArray("choices").addObject();
      choice.put("index", 0).putObject("message").put("role", "assistant").put("content", text.toString());
      choice.put("finish_reason", end.finishReason());
      TokenUsage usage = end.usage();
      body.putObject("usage").put("prompt_tokens", usage.promptTokens())
          .put("completion_tokens", usage.completionTokens())
          .put("total_tokens", usage.promptTokens() + usage.completionTokens());
      return new Completion(body, usage, end.finishReason());
    });
    CompletableFuture<Completion> result = new CompletableFuture<>();
    answer.whenComplete((completion, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure instanceof java.util.concurrent.CompletionException
            && failure.getCause() != null ? failure.getCause() : failure);
      } else {
        result.complete(completion);
      }
    });
    // Ended from outside first (its first-byte deadline): the call is cancelled on the worker.
    result.whenComplete((completion, failure) -> {
      if (failure != null) {
        call.cancel();
      }
    });
    return result;
  }

  @Override
  public CompletableFuture<StreamEnd> streamAsync(Endpoint endpoint, ChatRequest request, ChunkSink sink,
                                                  Cancellation cancellation) {
    try {
      String workerId = endpoint.workerId()
          .orElseThrow(() -> new IllegalArgumentException("not a worker endpoint: " + endpoint.id()));
      Optional<LiveWorker> live = workers.apply(workerId);
      if (live.isEmpty()) {
        return CompletableFuture.failedFuture(failure(endpoint, 503, "worker " + workerId + " left the registry", null));
      }
      LiveWorker worker = live.get();
      GenerateRequest generate = GenerateRequests.of(request, endpoint.upstreamModel());
      CompletableFuture<StreamEnd> end = new CompletableFuture<>();
      charges.claimAsync(workerId, worker.capacity()).whenComplete((charge, unexpected) -> {
        if (unexpected != null) {
          end.completeExceptionally(unexpected);
        } else if (charge.isEmpty()) {
          end.completeExceptionally(UpstreamException.atCapacity(endpoint.provider(), "worker " + workerId
              + " is full (requests in flight from every router reached its capacity " + worker.capacity() + ")"));
        } else {
          end.whenComplete((ended, failed) -> charge.get().close());
          start(endpoint, worker, generate, sink, cancellation, end);
        }
      });
      return end;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void start(Endpoint endpoint, LiveWorker worker, GenerateRequest request, ChunkSink sink,
                     Cancellation cancellation, CompletableFuture<StreamEnd> end) {
    Call call = new Call(endpoint, worker, sink, end);
    try {
      WorkerGrpc.newStub(worker.channel())
          .withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
          // Callbacks run where the messages arrive: the sink never blocks, and a hop per chunk costs more.
          .withExecutor(Runnable::run)
          .generate(request, call);
    } catch (RuntimeException e) {
      end.completeExceptionally(e);
      return;
    }
    call.firstToken = TIMER.schedule(call::noFirstToken, firstByteTimeout.toNanos(), TimeUnit.NANOSECONDS);
    cancellation.onCancel(() -> call.cancel("client went away"));
  }

  private ObjectNode delta(Endpoint endpoint, long created, String text, boolean first) {
    ObjectNode chunk = header(endpoint, "chat.completion.chunk").put("created", created);
    ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
    ObjectNode delta = choice.putObject("delta");
    if (first) {
      delta.put("role", "assistant");
    }
    delta.put("content", text);
    choice.putNull("finish_reason");
    return chunk;
  }

  private ObjectNode header(Endpoint endpoint, String object) {
    // The router sets the generation id and the public model name.
    return json.createObjectNode().put("id", "").put("object", object)
        .put("created", clock.instant().getEpochSecond()).put("model", endpoint.upstreamModel());
  }

  private static UpstreamException failure(Endpoint endpoint, boolean started, Throwable error) {
    Status status = Status.fromThrowable(error);
    int http = switch (status.getCode()) {
      case RESOURCE_EXHAUSTED -> 429;
      case UNAVAILABLE, CANCELLED -> 503;
      case NOT_FOUND -> 404;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      default -> 502;
    };
    String message = "worker answered " + status.getCode()
        + (status.getDescription() == null ? "" : ": " + status.getDescription());
    // Mid-stream, a lost worker is a cut connection (the router reports a truncated generation).
    Throwable cause = started && http == 503 ? new IOException(message, error) : error;
    return new UpstreamException(endpoint.provider(), http, message, null, cause);
  }

  private static UpstreamException failure(Endpoint endpoint, int status, String message, Throwable cause) {
    return new UpstreamException(endpoint.provider(), status, message, null, cause);
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "worker-first-token");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /**
   * One Generate call: its chunks become OpenAI chunks for the sink as they arrive. Its callbacks, a
   * cancel and the first-token timer may come from different threads: they take turns on the call.
   */
  private final class Call implements ClientResponseObserver<GenerateRequest, GenerateChunk> {

    private final Endpoint endpoint;
    private final LiveWorker worker;
    private final ChunkSink sink;
    private final CompletableFuture<StreamEnd> end;
    private final long created = clock.instant().getEpochSecond();
    private ClientCallStreamObserver<GenerateRequest> requestStream;
    private volatile ScheduledFuture<?> firstToken;
    private long tokens;
    private boolean started;
    private boolean done;

    Call(Endpoint endpoint, LiveWorker worker, ChunkSink sink, CompletableFuture<StreamEnd> end) {
      this.endpoint = endpoint;
      this.worker = worker;
      this.sink = sink;
      this.end = end;
    }

    @Override
    public synchronized void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
      this.requestStream = requestStream;
    }

    @Override
    public synchronized void onNext(GenerateChunk chunk) {
      if (done) {
        return;
      }
      try {
        if (!chunk.getText().isEmpty()) {
          sink.chunk(delta(endpoint, created, chunk.getText(), !started));
          if (!started) {
            started = true;
            stopTimer();
          }
          tokens += chunk.getTokens();
        }
        if (!chunk.getFinishReason().isEmpty()) {
          ObjectNode last = header(endpoint, "chat.completion.chunk").put("created", created);
          last.putArray("choices").addObject().put("index", 0).put("finish_reason", chunk.getFinishReason())
              .putObject("delta");
          sink.chunk(last);
          var usage = chunk.getUsage();
          finish();
          end.complete(new StreamEnd(new TokenUsage(usage.getPromptTokens(), usage.getCompletionTokens(),
              usage.getCachedTokens(), 0,
              OptionalLong.of(usage.getCostMicros())), chunk.getFinishReason(), true));
        }
      } catch (RuntimeException e) { // the sink's: the call is of no use any more
        finish();
        requestStream.cancel("router failed", e);
        end.completeExceptionally(e);
      }
    }

    @Override
    public synchronized void onError(Throwable error) {
      if (!done) {
        finish();
        end.completeExceptionally(failure(endpoint, started,
            error instanceof StatusRuntimeException ? error : Status.fromThrowable(error).asRuntimeException()));
      }
    }

    @Override
    public synchronized void onCompleted() {
      if (!done) {
        finish();
        end.complete(incomplete()); // closed without its final chunk
      }
    }

    synchronized void cancel(String why) {
      if (!done) {
        finish();
        requestStream.cancel(why, null);
        end.complete(incomplete());
      }
    }

    synchronized void noFirstToken() {
      if (!done && !started) {
        finish();
        requestStream.cancel("no first token in time", null);
        end.completeExceptionally(failure(endpoint, 504, "worker " + worker.id() + " sent no token within "
            + firstByteTimeout, null));
      }
    }

    private StreamEnd incomplete() {
      return new StreamEnd(new TokenUsage(0, tokens, 0, 0), null, false);
    }

    private void finish() {
      done = true;
      stopTimer();
    }

    private void stopTimer() {
      ScheduledFuture<?> timer = firstToken;
      if (timer != null) {
        timer.cancel(false);
      }
    }
  }
}
