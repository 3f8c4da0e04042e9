package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.ApiError;
import dev.silkroute.router.core.ApiException;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.ChunkSink;
import dev.silkroute.router.provider.Completion;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.provider.StreamEnd;
import dev.silkroute.router.provider.TokenUsage;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.Attempt;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.Outcome;
import dev.silkroute.router.routing.RouteDecision;
import dev.silkroute.router.routing.RoutingOptions;
import dev.silkroute.router.routing.UpstreamTimeouts;
import dev.silkroute.router.usage.UsagePublisher;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Serves one chat request: plans where it may go (the model, its {@code models[]} fallbacks, each
 * one's endpoints in routing order), admits it against the key's limits and the customer's credit,
 * tries the endpoints in order until one answers (moving on only while nothing has reached the
 * client, and never past a provider's refusal of the request itself: {@link ProviderRejection}),
 * shapes the answer as OpenAI's with OpenRouter's additions ({@code gen-} id, {@code provider},
 * {@code usage.cost}), and publishes exactly one usage event whatever happened.
 */
public final class ChatRouter {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final MarketOrder order;
  private final List<EndpointSource> sources;
  private final ProviderAdapters adapters;
  private final Admission admission;
  private final UsagePublisher usage;
  private final ObjectMapper json;
  private final Clock clock;
  private final LongSupplier nanos;
  private final String routerInstance;
  private final Deadlines deadlines;

  public ChatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters, Admission admission,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance) {
    this(order, sources, adapters, admission, usage, json, clock, nanos, routerInstance,
        new Deadlines(UpstreamTimeouts.ofDefaults(), order::stats));
  }

  /** @param deadlines each attempt's first-byte timeout and each stream's stall timeout */
  public ChatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters, Admission admission,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance,
                    Deadlines deadlines) {
    this.deadlines = deadlines;
    this.order = order;
    this.sources = List.copyOf(sources);
    this.adapters = adapters;
    this.admission = admission;
    this.usage = usage;
    this.json = json;
    this.clock = clock;
    this.nanos = nanos;
    this.routerInstance = routerInstance;
  }

  public static String newGenerationId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "gen-" + HexFormat.of().formatHex(bytes);
  }

  /**
   * A non-streamed answer without a waiting thread. With {@code withRouting}, the answer carries a
   * {@code routing} block: the candidates with their scores and every attempt with its outcome.
   *
   * <p>Completes only once the request is settled (usage event handed to the publisher, credit
   * settled in Redis), so the next request sees the balance this one left; fails with an
   * {@link ApiException} for any answer the client should see. Plans on the caller's thread (or on
   * {@code continueOn} once a worker pool's load is read from Redis), then goes on on the upstream
   * client's threads and on {@code continueOn}, where nothing blocks.
   *
   * @param continueOn where the work after each Redis reply runs (the HTTP request's event loop, the
   *                   gRPC server's executor): never on Lettuce's I/O thread, which serves every
   *                   request's Redis replies one after another and, doing their work too, became the
   *                   router's bottleneck
   */
  public CompletableFuture<ObjectNode> completeAsync(String generationId, Caller caller, ChatRequest request,
                                                     boolean withRouting, Executor continueOn) {
    Executor next = orInline(continueOn);
    CompletableFuture<ObjectNode> done = new CompletableFuture<>();
    // A request refused at admission holds no ticket: there is nothing to settle and no usage to publish.
    planAsync(request, next).thenCompose(plan -> admitAsync(caller, request, plan).thenComposeAsync(ticket -> {
      Generation generation = new Generation(generationId, caller, plan.decisions().get(0).model(), false,
          clock.instant(), nanos.getAsLong());
      CompletableFuture<ObjectNode> served;
      try {
        served = tryFrom(new Tries(plan, request, generation, withRouting, next), 0, null);
      } catch (RuntimeException unexpected) {
        served = CompletableFuture.failedFuture(unexpected);
      }
      return served.handle((answer, failure) -> settleAsync(generation, ticket, answer, failure))
          .thenCompose(settled -> settled);
    }, next)).whenCompleteAsync((answer, failure) -> {
      // The exception itself, not wrapped in a CompletionException: callers tell refusals by their type.
      if (failure != null) {
        done.completeExceptionally(unwrap(failure));
      } else {
        done.complete(answer);
      }
    }, next);
    return done;
  }

  /** One non-streamed request's endpoints, across its decisions, in the order to try them. */
  private record Tries(Plan plan, ChatRequest request, Generation generation, boolean withRouting,
                       Executor eventLoop, List<Try> order) {

    Tries(Plan plan, ChatRequest request, Generation generation, boolean withRouting, Executor eventLoop) {
      this(plan, request, generation, withRouting, eventLoop, plan.decisions().stream()
          .flatMap(decision -> decision.endpoints().stream().map(endpoint -> new Try(decision, endpoint)))
          .toList());
    }
  }

  private record Try(RouteDecision decision, Endpoint endpoint) {
  }

  /**
   * Tries the endpoints from the {@code next}-th on until one answers; {@code last} is the latest
   * failure. The same walk as {@link StreamedAnswer#tryNext}, one endpoint per completed call.
   */
  private CompletableFuture<ObjectNode> tryFrom(Tries tries, int next, UpstreamException last) {
    for (int i = next; i < tries.order().size(); i++) {
      RouteDecision decision = tries.order().get(i).decision();
      Endpoint endpoint = tries.order().get(i).endpoint();
      Optional<Attempt> attempt = decision.begin(endpoint);
      if (attempt.isEmpty()) {
        continue;
      }
      Generation generation = tries.generation();
      generation.attempt(decision.model(), endpoint);
      int after = i + 1;
      Duration timeout = deadlines.firstByte(endpoint, decision.model(), tries.request(), tries.plan().options(),
          after == tries.order().size());
      attempt.get().firstByteTimeout(timeout);
      Cancellation abandon = new Cancellation();
      CompletableFuture<Completion> call = adapter(endpoint).completeAsync(endpoint, tries.request(), abandon);
      deadlines.bound(call, timeout, endpoint, tries.eventLoop(), abandon);
      return call.handle((completion, failure) -> {
        if (failure == null) {
          attempt.get().firstToken();
          generation.firstToken(nanos.getAsLong());
          generation.finish(UsageStatus.USAGE_STATUS_OK, completion.usage(),
              FinishReason.normalise(completion.finishReason()));
          attempt.get().succeeded(completion.usage().completionTokens());
          ObjectNode answer = answer(completion.body(), generation);
          if (tries.withRouting()) {
            answer.set("routing", RouteDecision.metadata(tries.plan().decisions()));
          }
          return CompletableFuture.completedFuture(answer);
        }
        Throwable cause = unwrap(failure);
        if (!(cause instanceof UpstreamException e)) {
          return CompletableFuture.<ObjectNode>failedFuture(cause);
        }
        attempt.get().failed(e, e.retryAfter().orElse(null));
        Optional<ApiError> rejected = ProviderRejection.of(e, json);
        if (rejected.isPresent()) {
          return CompletableFuture.<ObjectNode>failedFuture(new ApiException(rejected.get()));
        }
        return tryFrom(tries, after, e);
      }).thenCompose(answer -> answer);
    }
    return CompletableFuture.failedFuture(new ApiException(allFailed(last)));
  }

  /**
   * A streamed answer, holding no thread while an upstream is silent. Every chunk goes to
   * {@code out}; the stream always ends with the usage chunk (carrying the {@code routing} block when
   * asked for) and {@code [DONE]}. Fails with {@link ApiException} only while nothing was sent, so
   * the caller can still answer an HTTP error. Once {@code cancellation} fires, the upstream is closed
   * and what was generated is billed. Completes once the request is settled.
   *
   * <p>Plans as {@link #completeAsync} does, starts the upstream call on {@code continueOn} (as in
   * {@link #completeAsync}: not on Lettuce's thread), and goes on on the threads that end each
   * upstream stream.
   */
  public CompletableFuture<Void> streamAsync(String generationId, Caller caller, ChatRequest request, ChunkOut out,
                                             Cancellation cancellation, boolean withRouting, Executor continueOn) {
    Executor next = orInline(continueOn);
    CompletableFuture<Void> answered = new CompletableFuture<>();
    planAsync(request, next).whenComplete((plan, unfit) -> {
      if (unfit != null) {
        answered.completeExceptionally(unwrap(unfit));
        return;
      }
      admitAsync(caller, request, plan).whenCompleteAsync((ticket, refused) -> {
        if (refused != null) {
          answered.completeExceptionally(unwrap(refused)); // no ticket: nothing to settle
          return;
        }
        new StreamedAnswer(generationId, caller, request, out, cancellation, plan, ticket, withRouting, answered,
            next).tryNext();
      }, next);
    });
    return answered;
  }

  /**
   * One streamed request, moving from endpoint to endpoint while nothing reached the client. Each
   * step runs on the thread that ended the upstream stream before it; steps never overlap. Settles
   * exactly once, whichever way it ends.
   */
  private final class StreamedAnswer {

    private final ChatRequest request;
    private final ChunkOut out;
    private final Cancellation cancellation;
    private final Admission.Ticket ticket;
    private final Plan plan;
    private final Plan withRouting;
    private final Generation generation;
    private final long created;
    private final ListIterator<Candidate> candidates;
    private final CompletableFuture<Void> answered;
    private final Executor eventLoop;
    private UpstreamException last;
    private boolean settled;

    StreamedAnswer(String generationId, Caller caller, ChatRequest request, ChunkOut out, Cancellation cancellation,
                   Plan plan, Admission.Ticket ticket, boolean withRouting, CompletableFuture<Void> answered,
                   Executor next) {
      this.request = request;
      this.eventLoop = next;
      this.answered = answered;
      this.out = out;
      this.cancellation = cancellation;
      this.ticket = ticket;
      this.plan = plan;
      this.withRouting = withRouting ? plan : null;
      this.generation = new Generation(generationId, caller, plan.decisions().get(0).model(), true,
          clock.instant(), nanos.getAsLong());
      this.created = clock.instant().getEpochSecond();
      this.candidates = plan.decisions().stream()
          .flatMap(decision -> decision.endpoints().stream().map(endpoint -> new Candidate(decision, endpoint)))
          .toList().listIterator();
    }

    /** Streams from the next endpoint that takes the request; fails when none is left. */
    private void tryNext() {
      try {
        while (candidates.hasNext()) {
          Candidate next = candidates.next();
          Optional<Attempt> attempt = next.decision().begin(next.endpoint());
          if (attempt.isEmpty()) {
            continue;
          }
          Model model = next.decision().model();
          Endpoint endpoint = next.endpoint();
          generation.attempt(model, endpoint);
          Duration timeout = deadlines.firstByte(endpoint, model, request, plan.options(), !candidates.hasNext());
          attempt.get().firstByteTimeout(timeout);
          StreamWatch watch = new StreamWatch(cancellation, timeout, deadlines.stall(), nanos,
              () -> timedOut(attempt.get(), endpoint, timeout), eventLoop);
          // Ended on the request's event loop, not on the thread that read the stream's end (the
          // upstream client's selector, which serves every stream): publishing the usage event may
          // wait while Kafka is unreachable.
          AttemptSink sink = new AttemptSink(attempt.get(), model, endpoint, watch);
          adapter(endpoint).streamAsync(endpoint, request, sink, watch.upstream())
              .whenCompleteAsync((end, error) -> {
                if (watch.end()) {
                  ended(attempt.get(), endpoint, watch, sink, end, error);
                }
              }, eventLoop);
          return;
        }
        finish(new ApiException(allFailed(last)));
      } catch (RuntimeException e) {
        finish(e);
      }
    }

    /**
     * Passes one attempt's chunks to the client. The chunks that open a stream without output (the
     * assistant's role and an empty content, sent at once by most providers) are held back until the
     * first token: until then nothing has reached the client, so a stream cut or silent before its
     * first token can still move on to the next endpoint, and the first-byte timeout runs to the
     * first token, not to the role.
     */
    private final class AttemptSink implements ChunkSink {

      private final Attempt attempt;
      private final Model model;
      private final Endpoint endpoint;
      private final StreamWatch watch;
      private final List<ObjectNode> opening = new ArrayList<>(1);

      AttemptSink(Attempt attempt, Model model, Endpoint endpoint, StreamWatch watch) {
        this.attempt = attempt;
        this.model = model;
        this.endpoint = endpoint;
        this.watch = watch;
      }

      @Override
      public void chunk(ObjectNode chunk) {
        chunk(chunk, false);
      }

      @Override
      public void chunk(ObjectNode chunk, boolean more) {
        if (!generation.started() && !Chunks.carriesOutput(chunk)) {
          opening.add(chunk);
          return;
        }
        if (!watch.chunk()) {
          return; // given up at its first-byte timeout: the request has moved on
        }
        if (!generation.started()) {
          attempt.firstToken();
          generation.firstToken(nanos.getAsLong());
          flushOpening();
        }
        send(chunk, more);
      }

      /** The held opening chunks, once output follows or the stream ended complete without any. */
      void flushOpening() {
        for (ObjectNode held : opening) {
          send(held, true);
        }
        opening.clear();
      }

      private void send(ObjectNode chunk, boolean more) {
        generation.streamed(chunk);
        chunk.put("id", generation.id()).put("model", model.id()).put("provider", endpoint.provider());
        out.chunk(chunk, more);
      }
    }

    /** No first chunk within the attempt's first-byte timeout: the endpoint counts as failed, the next is tried. */
    private void timedOut(Attempt attempt, Endpoint endpoint, Duration timeout) {
      try {
        if (cancellation.isCancelled()) { // the client left first: nobody waits for another endpoint
          generation.finish(UsageStatus.USAGE_STATUS_CANCELLED, generation.usage(), null);
          attempt.cancelled();
          finish(null);
          return;
        }
        UpstreamException e = Deadlines.timedOut(endpoint, timeout);
        attempt.failed(e);
        last = e;
        tryNext();
      } catch (RuntimeException e) {
        finish(e);
      }
    }

    private void ended(Attempt attempt, Endpoint endpoint, StreamWatch watch, AttemptSink sink, StreamEnd end,
                       Throwable error) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      try {
        if (cause == null && watch.stalled()) {
          streamStalled(attempt, endpoint, watch, end);
        } else if (cause == null) {
          if (end.complete() && !generation.started()) {
            sink.flushOpening(); // a whole answer without output: the client still gets its opening
          }
          streamEnded(attempt, endpoint, end);
        } else if (cause instanceof UpstreamException upstream) {
          upstreamFailed(attempt, endpoint, upstream);
        } else {
          finish(cause);
        }
      } catch (RuntimeException e) {
        finish(e);
      }
    }

    private void streamEnded(Attempt attempt, Endpoint endpoint, StreamEnd end) {
      if (cancellation.isCancelled()) {
        generation.finish(UsageStatus.USAGE_STATUS_CANCELLED, end.usage(), FinishReason.normalise(end.finishReason()));
        generation.estimateUsageIfMissing(request.body());
        attempt.cancelled();
        finish(null);
        return;
      }
      if (!end.complete() && !generation.started()) {
        // Cut before anything reached the client: as good as a refusal, so the next endpoint may try.
        attempt.end(Outcome.PROVIDER_ERROR, 0, 0, null);
        last = new UpstreamException(endpoint.provider(), 0, "provider's stream ended before its first token",
            null, null);
        tryNext();
        return;
      }
      if (!end.complete()) {
        generation.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
        generation.estimateUsageIfMissing(request.body());
        attempt.end(Outcome.PROVIDER_ERROR, 0, end.usage().completionTokens(), null);
        out.chunk(errorChunk(generation, created, endpoint, "provider's stream ended before it finished"));
      } else {
        generation.finish(UsageStatus.USAGE_STATUS_OK, end.usage(), FinishReason.normalise(end.finishReason()));
        attempt.succeeded(end.usage().completionTokens());
      }
      out.chunk(usageChunk(generation, created, withRouting));
      out.done();
      finish(null);
    }

    /**
     * The stream went silent past the stall timeout after it started: it ends with the error chunk,
     * what was generated is billed, and it counts against the endpoint.
     */
    private void streamStalled(Attempt attempt, Endpoint endpoint, StreamWatch watch, StreamEnd end) {
      generation.finish(UsageStatus.USAGE_STATUS_TRUNCATED, end.usage(), "error");
      generation.estimateUsageIfMissing(request.body());
      attempt.stalled(end.usage().completionTokens());
      out.chunk(errorChunk(generation, created, endpoint, "provider's stream stalled: no token for "
          + watch.stallTimeout().toMillis() + " ms"));
      out.chunk(usageChunk(generation, created, withRouting));
      out.done();
      finish(null);
    }

    private void upstreamFailed(Attempt attempt, Endpoint endpoint, UpstreamException e) {
      attempt.failed(e, e.retryAfter().orElse(null));
      last = e;
      if (!generation.started()) {
        Optional<ApiError> rejected = ProviderRejection.of(e, json);
        if (rejected.isPresent()) {
          finish(new ApiException(rejected.get()));
        } else {
          tryNext();
        }
        return;
      }
      // Past the first byte the status is sent: the failure travels in the stream.
      // A connection that broke is a truncated generation; an error the provider sent is an error.
      UsageStatus status = e.getCause() instanceof java.io.IOException
          ? UsageStatus.USAGE_STATUS_TRUNCATED : UsageStatus.USAGE_STATUS_ERROR;
      generation.finish(status, generation.usage(), "error");
      generation.estimateUsageIfMissing(request.body());
      out.chunk(errorChunk(generation, created, endpoint, e.getMessage()));
      out.chunk(usageChunk(generation, created, withRouting));
      out.done();
      finish(null);
    }

    /** Settles the request (once), then ends the answer: normally, or with {@code error}. */
    private void finish(Throwable error) {
      if (settled) {
        return;
      }
      settled = true;
      settleAsync(generation, ticket, (Void) null, error).whenComplete((ignored, failure) -> {
        if (failure == null) {
          answered.complete(null);
        } else {
          answered.completeExceptionally(unwrap(failure));
        }
      });
    }
  }

  /** An endpoint of one of the plan's decisions, in the order they are tried. */
  private record Candidate(RouteDecision decision, Endpoint endpoint) {
  }

  /** Where the request may go, and the most it can cost there. */
  private record Plan(List<RouteDecision> decisions, RoutingOptions options, long worstCaseMicros,
                      long promptTokenEstimate) {
  }

  /**
   * Fails before anything is spent: 503 while usage could not be recorded (Kafka away and the spool
   * full, so nothing is served unbilled), 404 for an unknown model, 400 for bad routing options,
   * 503 when no endpoint fits them.
   */
  private CompletableFuture<Plan> planAsync(ChatRequest request, Executor next) {
    RoutingOptions options;
    List<Model> models;
    Map<String, CompletableFuture<List<Endpoint>>> available = new HashMap<>();
    try {
      if (!usage.acceptsRequests()) {
        throw new ApiException(new ApiError(503, "service_unavailable",
            "Usage cannot be recorded right now; try again shortly", null, "usage_spool_full", Map.of()));
      }
      options = RoutingOptions.of(request);
      models = order.models(request, options);
      for (Model model : models) {
        available.computeIfAbsent(model.id(), id -> available(model));
      }
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    CompletableFuture<Void> found = CompletableFuture.allOf(available.values().toArray(CompletableFuture[]::new));
    // Every source has answered by then, so planning waits for nothing.
    Function<Void, Plan> plan = v -> plan(request, options, order.plan(request, options, models,
        model -> available.get(model.id()).join()));
    // Sources that answer from memory (the catalog's providers) have answered already: plan here. A
    // worker pool's counts arrive on Lettuce's thread, which must not do the planning too.
    return found.isDone() ? found.thenApply(plan) : found.thenApplyAsync(plan, next);
  }

  /** The model's catalog endpoints and what the run-time sources offer now, those an adapter speaks. */
  private CompletableFuture<List<Endpoint>> available(Model model) {
    List<CompletableFuture<List<Endpoint>>> offered = sources.stream().map(source -> source.endpointsAsync(model))
        .toList();
    return CompletableFuture.allOf(offered.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Endpoint> available = new ArrayList<>(model.endpoints());
      offered.forEach(endpoints -> available.addAll(endpoints.join()));
      // An endpoint whose protocol no adapter speaks cannot be tried; it is left out, not failed.
      available.removeIf(endpoint -> adapters.forEndpoint(endpoint).isEmpty());
      return available;
    });
  }

  /** The decisions with what they may cost at worst, which admission reserves. */
  private Plan plan(ChatRequest request, RoutingOptions options, List<RouteDecision> decisions) {
    // Upper bounds: a token is at least one character, and the completion is capped by max_tokens
    // or else by what the model's context leaves.
    long promptBound = request.promptChars() + 16L * Math.max(1, request.body().path("messages").size());
    long worst = 0;
    for (RouteDecision decision : decisions) {
      long completionBound = request.maxTokens().orElse(Math.max(1, decision.model().contextLength()));
      for (Endpoint endpoint : decision.endpoints()) {
        worst = Math.max(worst, endpoint.price().costMicros(promptBound, completionBound));
      }
    }
    return new Plan(decisions, options, worst, Math.max(1, request.promptChars() / 4));
  }

  private CompletableFuture<Admission.Ticket> admitAsync(Caller caller, ChatRequest request, Plan plan) {
    return admission.admitAsync(caller, plan.decisions().get(0).model().id(), plan.promptTokenEstimate(),
        plan.worstCaseMicros());
  }

  private ProviderAdapter adapter(Endpoint endpoint) {
    return adapters.forEndpoint(endpoint).orElseThrow();
  }

  /** Rewrites the upstream's answer in place: it was parsed for this request alone. */
  private ObjectNode answer(ObjectNode body, Generation generation) {
    body.put("id", generation.id());
    body.put("model", generation.model().id());
    body.put("provider", generation.endpoint().provider());
    body.set("usage", usageJson(generation));
    return body;
  }

  private ObjectNode usageChunk(Generation generation, long created, Plan withRouting) {
    ObjectNode chunk = chunkHeader(generation, created);
    chunk.putArray("choices");
    chunk.set("usage", usageJson(generation));
    if (withRouting != null) {
      chunk.set("routing", RouteDecision.metadata(withRouting.decisions()));
    }
    return chunk;
  }

  private ObjectNode errorChunk(Generation generation, long created, Endpoint endpoint, String message) {
    ObjectNode chunk = chunkHeader(generation, created);
    ObjectNode error = chunk.putObject("error");
    error.put("message", message).put("type", "upstream_error").put("code", "provider_error");
    error.putObject("metadata").put("provider_name", endpoint.provider());
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0).put("finish_reason", "error").putObject("delta");
    return chunk;
  }

  private ObjectNode chunkHeader(Generation generation, long created) {
    ObjectNode chunk = json.createObjectNode();
    chunk.put("id", generation.id()).put("object", "chat.completion.chunk").put("created", created)
        .put("model", generation.model().id());
    if (generation.endpoint() != null) {
      chunk.put("provider", generation.endpoint().provider());
    }
    return chunk;
  }

  private ObjectNode usageJson(Generation generation) {
    var tokens = generation.usage();
    ObjectNode usageNode = json.createObjectNode();
    usageNode.put("prompt_tokens", tokens.promptTokens())
        .put("completion_tokens", tokens.completionTokens())
        .put("total_tokens", tokens.promptTokens() + tokens.completionTokens())
        // USD, as OpenRouter reports it; exact because it is derived from integer micro-USD.
        .put("cost", BigDecimal.valueOf(generation.priceMicros(), 6));
    usageNode.putObject("prompt_tokens_details").put("cached_tokens", tokens.cachedTokens());
    usageNode.putObject("completion_tokens_details").put("reasoning_tokens", tokens.reasoningTokens());
    return usageNode;
  }

  private static ApiError allFailed(UpstreamException last) {
    if (last == null) {
      return new ApiError(503, "service_unavailable",
          "No endpoint can take this request now (circuits open, capacity full or rate limits pending)", null,
          "no_endpoint_available", Map.of());
    }
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("provider_name", last.provider());
    if (last.status() != 0) {
      metadata.put("upstream_status", last.status());
    }
    if (last.upstreamBody() != null) {
      metadata.put("raw", last.upstreamBody());
    }
    if (last.getCause() instanceof java.net.http.HttpTimeoutException) {
      return new ApiError(408, "timeout", "The provider did not answer in time; last: " + last.provider(), null,
          "timeout", metadata);
    }
    return ApiError.upstreamFailed("Every provider failed; last: " + last.provider() + ": " + last.getMessage(),
        metadata);
  }

  /**
   * Exactly once per admitted request: the usage event, then the credit reservation turned into the
   * cost, without waiting; then the request's own outcome ({@code answer}, or
   * {@code failure}). A failure to settle wins over the outcome, as an exception thrown in a
   * {@code finally} block does.
   */
  private <T> CompletableFuture<T> settleAsync(Generation generation, Admission.Ticket ticket, T answer,
                                               Throwable failure) {
    CompletableFuture<Void> settled;
    try {
      // Publishing only hands the event to the Kafka producer. It can wait (at most max.block.ms, then
      // the event is spooled) only while Kafka is unreachable; when no endpoint was tried, that wait
      // would be on Lettuce's I/O thread, which this accepts rather than a hop per request.
      usage.publish(generation.toUsageEvent(routerInstance, clock.instant(), nanos.getAsLong()));
      TokenUsage tokens = generation.usage();
      settled = ticket.settleAsync(generation.priceMicros(), tokens.promptTokens() + tokens.completionTokens());
    } catch (RuntimeException e) {
      settled = CompletableFuture.failedFuture(e);
    }
    return settled.handle((ignored, settleFailure) -> {
      if (settleFailure != null) {
        throw new CompletionException(unwrap(settleFailure));
      }
      if (failure != null) {
        throw new CompletionException(unwrap(failure));
      }
      return answer;
    });
  }

  /**
   * {@code continueOn}, or the thread at hand when it refuses work (an event loop shutting down): an
   * admitted request must still be answered and settled, or its credit reservation stays taken and
   * its client waits forever.
   */
  public static Executor orInline(Executor continueOn) {
    return task -> {
      try {
        continueOn.execute(task);
      } catch (RejectedExecutionException refused) {
        task.run();
      }
    };
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }

}
