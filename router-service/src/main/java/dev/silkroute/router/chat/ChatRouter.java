package dev.silkroute.router.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.hedge.HedgePolicy;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.ProviderAdapters;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.RouteDecision;
import dev.silkroute.router.routing.RoutingOptions;
import dev.silkroute.router.routing.UpstreamTimeouts;
import dev.silkroute.router.usage.UsagePublisher;
import io.netty.util.concurrent.EventExecutor;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Serves chat requests, one pipeline for streamed and non-streamed alike: plan where the request may
 * go (the model, its {@code models[]} fallbacks, each one's endpoints in routing order), admit it
 * against the key's limits and the customer's credit, then run one {@link Exchange}: the attempts in
 * order and exactly one settlement (usage event, credit), whatever happened. Every edge (OpenAI's
 * chat completions, gRPC, Anthropic's Messages, OpenAI's Responses) enters here.
 *
 * <p>No step waits: each goes on on the request's event loop ({@code continueOn}) once the Redis reply
 * or the upstream's answer before it arrived, never on Lettuce's I/O thread, which serves every
 * request's Redis replies one after another.
 */
public final class ChatRouter {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final MarketOrder order;
  private final List<EndpointSource> sources;
  private final ProviderAdapters adapters;
  private final Admission admission;
  private final UsagePublisher usage;
  private final Clock clock;
  private final LongSupplier nanos;
  private final Upstreams upstreams;
  private final Settlement settlement;
  private final Answers answers;
  private final HedgePolicy hedging;

  public ChatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters, Admission admission,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance) {
    this(order, sources, adapters, admission, usage, json, clock, nanos, routerInstance,
        new Deadlines(UpstreamTimeouts.ofDefaults(), order::stats));
  }

  /** @param deadlines each attempt's first-byte timeout and each stream's stall timeout */
  public ChatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters, Admission admission,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance,
                    Deadlines deadlines) {
    this(order, sources, adapters, admission, usage, json, clock, nanos, routerInstance, deadlines, HedgePolicy.off());
  }

  /** @param hedging when a late first token gets a second leg at the next candidate (hedged first token) */
  public ChatRouter(MarketOrder order, List<EndpointSource> sources, ProviderAdapters adapters, Admission admission,
                    UsagePublisher usage, ObjectMapper json, Clock clock, LongSupplier nanos, String routerInstance,
                    Deadlines deadlines, HedgePolicy hedging) {
    this.order = order;
    this.sources = List.copyOf(sources);
    this.adapters = adapters;
    this.admission = admission;
    this.usage = usage;
    this.clock = clock;
    this.nanos = nanos;
    this.upstreams = new Upstreams(adapters, deadlines, nanos, json);
    this.settlement = new Settlement(usage, clock, nanos, routerInstance);
    this.answers = new Answers(json);
    this.hedging = hedging;
  }

  public static String newGenerationId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return "gen-" + HexFormat.of().formatHex(bytes);
  }

  /**
   * A non-streamed answer: OpenAI's {@code chat.completion} with OpenRouter's additions, and with
   * {@code withRouting} a {@code routing} block (the candidates with their scores and every attempt
   * with its outcome). Completes once the request's settlement is written to Redis, not answered by
   * it: the settlement leaves before the answer does, so the next request sees the balance this one
   * left; fails with an {@link RouterException} for any answer the client should see.
   *
   * @param continueOn the request's event loop (HTTP), or the gRPC call's executor
   */
  public CompletableFuture<ObjectNode> completeAsync(String generationId, Caller caller, ChatRequest request,
                                                     boolean withRouting, Executor continueOn) {
    return completeAsync(generationId, caller, request, new Cancellation(), withRouting, continueOn);
  }

  /**
   * {@link #completeAsync}, given up when {@code cancellation} fires (the client went away): the
   * upstream call is aborted, no other endpoint is tried, and the request is settled as cancelled.
   */
  public CompletableFuture<ObjectNode> completeAsync(String generationId, Caller caller, ChatRequest request,
                                                     Cancellation cancellation, boolean withRouting,
                                                     Executor continueOn) {
    return exchange(generationId, caller, request, null, cancellation, withRouting, continueOn);
  }

  /**
   * A streamed answer: every chunk goes to {@code out}, which always ends with the usage chunk
   * (carrying the {@code routing} block when asked for) and {@link ChunkOut#done()}. Fails with an
   * {@link RouterException} only while nothing was sent, so the edge can still answer with an error
   * status. Once {@code cancellation} fires (the client went away), the upstream is closed and what
   * was generated is billed. Completes once the request's settlement is written.
   */
  public CompletableFuture<Void> streamAsync(String generationId, Caller caller, ChatRequest request, ChunkOut out,
                                             Cancellation cancellation, boolean withRouting, Executor continueOn) {
    return exchange(generationId, caller, request, out, cancellation, withRouting, continueOn)
        .thenApply(answer -> null);
  }

  private CompletableFuture<ObjectNode> exchange(String generationId, Caller caller, ChatRequest request,
                                                 ChunkOut out, Cancellation cancellation, boolean withRouting,
                                                 Executor continueOn) {
    Executor eventLoop = orInline(continueOn);
    Deadlines.Timers timers = Deadlines.on(continueOn);
    CompletableFuture<ObjectNode> done = new CompletableFuture<>();
    // A request refused before admission holds no ticket: nothing to settle, no usage to publish.
    planAsync(request, eventLoop)
        .thenCompose(plan -> admitAsync(generationId, caller, plan).thenComposeAsync(ticket -> {
          Generation generation = new Generation(generationId, caller, plan.decisions().get(0).model(),
              out != null, clock.instant(), nanos.getAsLong());
          return new Exchange(upstreams, settlement, answers, hedging, plan, request, generation, ticket, withRouting,
              out, cancellation, eventLoop, queuedOn(continueOn), timers, clock.instant().getEpochSecond()).run();
        }, eventLoop))
        .whenComplete((answer, failure) -> {
          // The exception itself, not wrapped in a CompletionException: the edges tell refusals by their type.
          if (failure != null) {
            done.completeExceptionally(Exchange.unwrap(failure));
          } else {
            done.complete(answer);
          }
        });
    return done;
  }

  /**
   * Fails before anything is spent: 503 while usage could not be recorded (Kafka away and the spool
   * full, so nothing is served unbilled), 404 for an unknown model, 400 for bad routing options,
   * 503 when no endpoint fits them.
   */
  private CompletableFuture<Plan> planAsync(ChatRequest request, Executor eventLoop) {
    RoutingOptions options;
    List<Model> models;
    Map<String, CompletableFuture<List<Endpoint>>> available = new HashMap<>();
    try {
      if (!usage.acceptsRequests()) {
        throw new RouterException(new RouterError(ErrorKind.UNAVAILABLE,
            "Usage cannot be recorded right now; try again shortly", null, "usage_spool_full"));
      }
      options = RoutingOptions.of(request);
      models = order.models(request, options);
      for (Model model : models) {
        if (model.embeds()) { // its providers have no chat endpoint for it: say so, rather than fail upstream
          throw new RouterException(RouterError.invalidRequest("The model '" + model.id()
              + "' is an embedding model: send it to /v1/embeddings", "model"));
        }
      }
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
    return found.isDone() ? found.thenApply(plan) : found.thenApplyAsync(plan, eventLoop);
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
  private static Plan plan(ChatRequest request, RoutingOptions options, List<RouteDecision> decisions) {
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

  private CompletableFuture<Admission.Ticket> admitAsync(String generationId, Caller caller, Plan plan) {
    return admission.admitAsync(generationId, caller, plan.decisions().get(0).model().id(), plan.promptTokenEstimate(),
        plan.worstCaseMicros());
  }

  /**
   * {@code continueOn}, run at once when already on it (a Netty event loop: no task per step), or the
   * thread at hand when it refuses work (an event loop shutting down): an admitted request must still
   * be answered and settled, or its credit reservation stays taken and its client waits forever.
   */
  public static Executor orInline(Executor continueOn) {
    if (continueOn instanceof EventExecutor loop) {
      return task -> {
        if (loop.inEventLoop()) {
          task.run();
        } else {
          executeOrRun(loop, task);
        }
      };
    }
    return queuedOn(continueOn);
  }

  /**
   * {@code continueOn} as a queue: a task always waits for the current one to end (what it wrote
   * is flushed first), or runs on the thread at hand when {@code continueOn} refuses work.
   */
  static Executor queuedOn(Executor continueOn) {
    return task -> executeOrRun(continueOn, task);
  }

  private static void executeOrRun(Executor executor, Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException refused) {
      task.run();
    }
  }
}
