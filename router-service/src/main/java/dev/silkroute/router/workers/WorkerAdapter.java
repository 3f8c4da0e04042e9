package dev.silkroute.router.workers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.router.catalog.Endpoint;
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
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 */
public final class WorkerAdapter implements ProviderAdapter {

  /** How often a waiting stream looks at the client's cancellation. */
  private static final long POLL_MILLIS = 50;
  private static final Object END = new Object();

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

  @Override
  public Completion complete(Endpoint endpoint, ChatRequest request) throws UpstreamException {
    StringBuilder text = new StringBuilder();
    StreamEnd end = stream(endpoint, request, chunk -> {
      String content = chunk.path("choices").path(0).path("delta").path("content").asText("");
      text.append(content);
    }, () -> false);
    if (!end.complete()) {
      throw new UpstreamException(endpoint.provider(), 502, "worker's stream ended before it finished", null,
          null);
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
  }

  @Override
  public StreamEnd stream(Endpoint endpoint, ChatRequest request, ChunkSink sink, BooleanSupplier cancelled)
      throws UpstreamException {
    String workerId = WorkerEndpoints.workerId(endpoint)
        .orElseThrow(() -> new IllegalArgumentException("not a worker endpoint: " + endpoint.id()));
    LiveWorker worker = workers.apply(workerId)
        .orElseThrow(() -> failure(endpoint, 503, "worker " + workerId + " left the registry", null));
    try (InflightCharges.Charge charge = charges.claim(workerId, worker.capacity())
        .orElseThrow(() -> failure(endpoint, 429, "worker " + workerId + " is full (requests in flight from"
            + " every router reached its capacity " + worker.capacity() + ")", null))) {
      return call(endpoint, worker, GenerateRequests.of(request, endpoint.upstreamModel()), sink, cancelled);
    }
  }

  private StreamEnd call(Endpoint endpoint, LiveWorker worker, GenerateRequest request, ChunkSink sink,
                         BooleanSupplier cancelled) throws UpstreamException {
    BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    Call call = new Call(events);
    WorkerGrpc.newStub(worker.channel())
        .withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .generate(request, call);
    long firstByteDeadline = System.nanoTime() + firstByteTimeout.toNanos();
    long created = clock.instant().getEpochSecond();
    long tokens = 0;
    boolean started = false;
    while (true) {
      if (cancelled.getAsBoolean()) {
        call.cancel("client went away");
        return new StreamEnd(new TokenUsage(0, tokens, 0, 0), null, false);
      }
      Object event;
      try {
        event = events.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        call.cancel("router thread interrupted");
        Thread.currentThread().interrupt();
        throw failure(endpoint, 0, "interrupted while waiting for the worker", e);
      }
      if (event == null) {
        if (!started && System.nanoTime() - firstByteDeadline > 0) {
          call.cancel("no first token in time");
          throw failure(endpoint, 504, "worker " + worker.id() + " sent no token within " + firstByteTimeout, null);
        }
        continue;
      }
      if (event == END) {
        return new StreamEnd(new TokenUsage(0, tokens, 0, 0), null, false); // closed without its final chunk
      }
      if (event instanceof Throwable error) {
        throw failure(endpoint, started, error);
      }
      GenerateChunk chunk = (GenerateChunk) event;
      if (!chunk.getText().isEmpty()) {
        sink.chunk(delta(endpoint, created, chunk.getText(), !started));
        started = true;
        tokens += chunk.getTokens();
      }
      if (!chunk.getFinishReason().isEmpty()) {
        ObjectNode last = header(endpoint, "chat.completion.chunk").put("created", created);
        last.putArray("choices").addObject().put("index", 0).put("finish_reason", chunk.getFinishReason())
            .putObject("delta");
        sink.chunk(last);
        var usage = chunk.getUsage();
        return new StreamEnd(new TokenUsage(usage.getPromptTokens(), usage.getCompletionTokens(), 0, 0,
            OptionalLong.of(usage.getCostMicros())), chunk.getFinishReason(), true);
      }
    }
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

  /** Hands the call's events to the request thread; cancels the call on request. */
  private static final class Call implements ClientResponseObserver<GenerateRequest, GenerateChunk> {

    private final BlockingQueue<Object> events;
    private volatile ClientCallStreamObserver<GenerateRequest> requestStream;

    Call(BlockingQueue<Object> events) {
      this.events = events;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GenerateRequest> requestStream) {
      this.requestStream = requestStream;
    }

    @Override
    public void onNext(GenerateChunk chunk) {
      events.add(chunk);
    }

    @Override
    public void onError(Throwable error) {
      events.add(error instanceof StatusRuntimeException ? error : Status.fromThrowable(error).asRuntimeException());
    }

    @Override
    public void onCompleted() {
      events.add(END);
    }

    void cancel(String why) {
      ClientCallStreamObserver<GenerateRequest> call = requestStream;
      if (call != null) {
        call.cancel(why, null);
      }
    }
  }
}
