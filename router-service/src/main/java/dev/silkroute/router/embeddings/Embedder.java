package dev.silkroute.router.embeddings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.proto.v1.UsageStatus;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.chat.Answers;
import dev.silkroute.router.chat.ChatRouter;
import dev.silkroute.router.chat.Generation;
import dev.silkroute.router.chat.ProviderRejection;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.TokenUsage;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.Attempt;
import dev.silkroute.router.routing.EndpointSource;
import dev.silkroute.router.routing.MarketOrder;
import dev.silkroute.router.routing.RouteDecision;
import dev.silkroute.router.routing.RoutingOptions;
import dev.silkroute.router.routing.UpstreamTimeouts;
import dev.silkroute.router.usage.UsagePublisher;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one embeddings request through the router's common stages: plans with {@link MarketOrder}
 * (the model and its {@code models[]} fallbacks, each one's endpoints in routing order), admits with
 * {@link Admission} (limits, and credit for the worst case: every byte of input a token), tries the
 * endpoints through {@link RouteDecision#begin} and {@link Attempt} (so circuits, bulkheads, health
 * and statistics see embedding traffic as they see chat), stops at a provider's refusal of the request
 * itself ({@link ProviderRejection}), and settles exactly once: one usage event from a
 * {@link Generation} whose completion is 0 tokens, and the credit reservation turned into the cost.
 *
 * <p>The answer is OpenAI's {@code CreateEmbeddingResponse} with OpenRouter's additions: {@code id}
 * ("gen-..."), {@code provider}, {@code usage.cost} (USD).
 */
public final class Embedder {

  private static final Logger LOG = LoggerFactory.getLogger(Embedder.class);

  private final MarketOrder order;
  private final List<EndpointSource> sources;
  private final Map<Endpoint.Protocol, EmbeddingCaller> callers;
  private final Admission admission;
  private final UsagePublisher usage;
  private final ObjectMapper json;
  private final UpstreamTimeouts timeouts;
  private final Clock clock;
  private final LongSupplier nanos;
  private final String routerInstance;

  /** @param callers one per protocol that serves embeddings; endpoints of any other are left out */
  Embedder(MarketOrder order, List<EndpointSource> sources, List<EmbeddingCaller> callers, Admission admission,
           UsagePublisher usage, ObjectMapper json, UpstreamTimeouts timeouts, Clock clock, LongSupplier nanos,
           String routerInstance) {
    this.order = order;
    this.sources = List.copyOf(sources);
    Map<Endpoint.Protocol, EmbeddingCaller> byProtocol = new java.util.EnumMap<>(Endpoint.Protocol.class);
    callers.forEach(caller -> byProtocol.put(caller.protocol(), caller));
    this.callers = byProtocol;
    this.admission = admission;
    this.usage = usage;
    this.json = json;
    this.timeouts = timeouts;
    this.clock = clock;
    this.nanos = nanos;
    this.routerInstance = routerInstance;
  }

  /**
   * The answer, once the request is settled; fails with an {@link RouterException} (itself, not
   * wrapped) for any answer the client should see. Work after each Redis reply and upstream answer
   * runs on {@code continueOn}, never on Lettuce's or the HTTP client's thread.
   */
  public CompletableFuture<ObjectNode> embedAsync(String generationId, Caller caller, EmbeddingRequest request,
                                                  boolean withRouting, Executor continueOn) {
    Executor next = ChatRouter.orInline(continueOn);
    CompletableFuture<ObjectNode> done = new CompletableFuture<>();
    planAsync(request, next)
        .thenCompose(plan -> admission.admitAsync(generationId, caller, plan.decisions().get(0).model().id(),
                Math.max(1, request.inputChars() / 4), plan.worstCaseMicros())
            .thenComposeAsync(ticket -> serve(generationId, caller, request, plan, ticket, withRouting, next), next))
        .whenCompleteAsync((answer, failure) -> {
          if (failure != null) {
            done.completeExceptionally(unwrap(failure));
          } else {
            done.complete(answer);
          }
        }, next);
    return done;
  }

  /** Where the request may go, and the most it can cost there. */
  private record Plan(List<RouteDecision> decisions, RoutingOptions options, long worstCaseMicros) {
  }

  /**
   * Fails before anything is spent: 503 while usage cannot be recorded, 404 for an unknown model,
   * 400 for a model that does not embed, a {@code dimensions} it cannot give, or a bad routing
   * option, 503 when no endpoint fits.
   */
  private CompletableFuture<Plan> planAsync(EmbeddingRequest request, Executor next) {
    ChatRequest routing;
    RoutingOptions options;
    List<Model> models;
    try {
      if (!usage.acceptsRequests()) {
        throw new RouterException(new RouterError(ErrorKind.UNAVAILABLE,
            "Usage cannot be recorded right now; try again shortly", null, "usage_spool_full", Map.of()));
      }
      routing = request.routing();
      options = RoutingOptions.of(routing);
      models = order.models(routing, options);
      for (int i = 0; i < models.size(); i++) {
        check(models.get(i), request, i == 0 ? "model" : "models[" + (i - 1) + "]");
      }
    } catch (RuntimeException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    Map<String, CompletableFuture<List<Endpoint>>> available = new LinkedHashMap<>();
    models.forEach(model -> available.computeIfAbsent(model.id(), id -> available(model)));
    return CompletableFuture.allOf(available.values().toArray(CompletableFuture[]::new)).thenApplyAsync(v -> {
      List<RouteDecision> decisions = order.plan(routing, options, models,
          model -> available.get(model.id()).join());
      // An upper bound: no tokenizer makes more tokens than the input has UTF-8 bytes.
      long promptBound = request.inputBytes() + request.inputs();
      long worst = 0;
      for (RouteDecision decision : decisions) {
        for (Endpoint endpoint : decision.endpoints()) {
          worst = Math.max(worst, endpoint.price().costMicros(promptBound, 0));
        }
      }
      return new Plan(decisions, options, worst);
    }, next);
  }

  private static void check(Model model, EmbeddingRequest request, String param) {
    if (!model.embeds()) {
      throw new RouterException(RouterError.invalidRequest("'" + param + "': " + model.id()
          + " is not an embedding model; see GET /v1/models for those whose output is embeddings", param));
    }
    if (request.dimensions().isPresent()) {
      int asked = request.dimensions().getAsInt();
      if (!model.details().supportedParameters().contains("dimensions")) {
        throw new RouterException(RouterError.invalidRequest("'dimensions': " + model.id()
            + " makes vectors of " + model.details().dimensions() + " dimensions only; leave 'dimensions' out",
            "dimensions"));
      }
      if (asked > model.details().dimensions()) {
        throw new RouterException(RouterError.invalidRequest("'dimensions' must be at most "
            + model.details().dimensions() + " for " + model.id() + ", got " + asked, "dimensions"));
      }
    }
  }

  /** The model's catalog endpoints and the run-time ones, those this exchange can call. */
  private CompletableFuture<List<Endpoint>> available(Model model) {
    List<CompletableFuture<List<Endpoint>>> offered = sources.stream().map(source -> source.endpointsAsync(model))
        .toList();
    return CompletableFuture.allOf(offered.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Endpoint> available = new ArrayList<>(model.endpoints());
      offered.forEach(endpoints -> available.addAll(endpoints.join()));
      available.removeIf(endpoint -> !callers.containsKey(endpoint.protocol()));
      return available;
    });
  }

  private CompletableFuture<ObjectNode> serve(String generationId, Caller caller, EmbeddingRequest request,
                                              Plan plan, Admission.Ticket ticket, boolean withRouting,
                                              Executor next) {
    Generation generation = new Generation(generationId, caller, plan.decisions().get(0).model(), false,
        clock.instant(), nanos.getAsLong());
    List<Try> tries = plan.decisions().stream()
        .flatMap(decision -> decision.endpoints().stream().map(endpoint -> new Try(decision, endpoint)))
        .toList();
    CompletableFuture<ObjectNode> served;
    try {
      served = tryFrom(new Walk(request, plan.options(), generation, tries, next), 0, null);
    } catch (RuntimeException unexpected) {
      served = CompletableFuture.failedFuture(unexpected);
    }
    return served.thenApply(answer -> {
      if (withRouting) {
        answer.set("routing", RouteDecision.metadata(plan.decisions()));
      }
      return answer;
    }).handle((answer, failure) -> settleAsync(generation, ticket, answer, failure)).thenCompose(settled -> settled);
  }

  private record Try(RouteDecision decision, Endpoint endpoint) {
  }

  private record Walk(EmbeddingRequest request, RoutingOptions options, Generation generation, List<Try> tries,
                      Executor eventLoop) {
  }

  /** Tries the endpoints from the {@code next}-th on until one answers; {@code last} is the latest failure. */
  private CompletableFuture<ObjectNode> tryFrom(Walk walk, int next, UpstreamException last) {
    for (int i = next; i < walk.tries().size(); i++) {
      RouteDecision decision = walk.tries().get(i).decision();
      Endpoint endpoint = walk.tries().get(i).endpoint();
      Optional<Attempt> attempt = decision.begin(endpoint);
      if (attempt.isEmpty()) {
        continue;
      }
      int after = i + 1;
      walk.generation().attempt(decision.model(), endpoint);
      Duration timeout = timeouts.firstByte(endpoint, order.stats(endpoint), new UpstreamTimeouts.Ask(false,
          Math.max(1, walk.request().inputChars() / 4), false,
          walk.options().provider().preferredMaxLatencyMs(),
          after == walk.tries().size()));
      attempt.get().firstByteTimeout(timeout);
      return callers.get(endpoint.protocol()).embedAsync(endpoint, walk.request(), timeout).handleAsync((answer, failure) -> {
        if (failure == null) {
          attempt.get().firstToken();
          walk.generation().firstToken(nanos.getAsLong());
          walk.generation().finish(UsageStatus.USAGE_STATUS_OK, new TokenUsage(answer.promptTokens(), 0, 0, 0),
              "stop");
          attempt.get().succeeded(0);
          return CompletableFuture.completedFuture(answer(answer.body(), walk.generation()));
        }
        Throwable cause = unwrap(failure);
        if (!(cause instanceof UpstreamException e)) {
          return CompletableFuture.<ObjectNode>failedFuture(cause);
        }
        attempt.get().failed(e, e.retryAfter().orElse(null));
        Optional<RouterError> rejected = ProviderRejection.of(e, json);
        if (rejected.isPresent()) {
          return CompletableFuture.<ObjectNode>failedFuture(new RouterException(rejected.get()));
        }
        return tryFrom(walk, after, e);
      }, walk.eventLoop()).thenCompose(answer -> answer);
    }
    return CompletableFuture.failedFuture(new RouterException(Answers.allFailed(last)));
  }

  /** The provider's list, rewritten in place as the router answers it. */
  private ObjectNode answer(ObjectNode body, Generation generation) {
    ObjectNode answer = json.createObjectNode();
    answer.put("id", generation.id());
    answer.put("object", "list");
    answer.set("data", body.get("data"));
    answer.put("model", generation.model().id());
    answer.put("provider", generation.endpoint().provider());
    long tokens = generation.usage().promptTokens();
    answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens)
        // USD, as OpenRouter reports it; exact because it is derived from integer micro-USD.
        .put("cost", BigDecimal.valueOf(generation.priceMicros(), 6));
    return answer;
  }

  /**
   * Exactly once per admitted request: the usage event, then the reservation turned into the cost;
   * then the request's own outcome. A usage event that cannot be recorded wins over the outcome (an
   * answer is never served unbilled); a settlement that fails does not, as for chat: its ticket
   * retries it, and billing settles it from the usage event.
   */
  private CompletableFuture<ObjectNode> settleAsync(Generation generation, Admission.Ticket ticket, ObjectNode answer,
                                                    Throwable failure) {
    Throwable outcome = failure;
    try {
      usage.publish(generation.toUsageEvent(routerInstance, clock.instant(), nanos.getAsLong()));
    } catch (RuntimeException unrecorded) {
      outcome = unrecorded; // not served unbilled
    }
    CompletableFuture<Void> settled;
    try {
      settled = ticket.settleAsync(generation.priceMicros(), generation.usage().promptTokens());
    } catch (RuntimeException e) {
      settled = CompletableFuture.failedFuture(e);
    }
    Throwable endedWith = outcome;
    return settled.handle((ignored, settleFailure) -> {
      if (settleFailure != null) {
        LOG.warn("Settling {} failed; retrying", generation.id(), unwrap(settleFailure));
      }
      if (endedWith != null) {
        throw new CompletionException(unwrap(endedWith));
      }
      return answer;
    });
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
