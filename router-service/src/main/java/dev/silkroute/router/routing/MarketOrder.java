package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.WorkerPool;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.ChatRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The marketplace's routing decision. Filters a model's endpoints by the request's options, then
 * orders them:
 * <ul>
 *   <li>by health: healthy, then degraded (uptime under 95%, or a circuit probing), then down (uptime
 *       under 80%, or an open circuit), which is tried only as a last resort;</li>
 *   <li>within a health class, endpoints that meet the request's latency and throughput preferences
 *       (and self-hosted workers predicted to start in time) before those that do not;</li>
 *   <li>then, by default, the first is drawn at random among the best class weighted by 1/score^2, where
 *       the score is the request's {@link EffectiveCost} there (its expected cost given the endpoint's
 *       measured cached share and answer length, times its predicted time to first token, over its
 *       uptime squared; with {@code silkroute.routing.effective-cost} off, the blended list price); the
 *       rest follow best score first; a session's last endpoint goes first where cached prompts are
 *       cheaper there; {@code provider.sort} (or {@code :floor}, {@code :nitro}) sorts strictly;
 *       {@code provider.order} puts its providers first, in its order.</li>
 * </ul>
 * Plain Java: time, randomness and statistics are injected.
 */
public final class MarketOrder {

  private static final int ORDER_GROUP_CAP = 250;
  private static final long SECONDARY_MAX = (1L << 40) - 1;

  private final EndpointBoard board;
  private final StickySessions sessions;
  private final Supplier<Catalog> catalog;
  private final DoubleSupplier random;
  private final LongSupplier nanos;
  private final OrderRules rules;
  private final PrefixHolders holders;

  /**
   * @param random uniform in [0, 1); e.g. {@code () -> ThreadLocalRandom.current().nextDouble()}
   * @param nanos  monotonic time for attempt latencies, e.g. {@code System::nanoTime}
   */
  public MarketOrder(EndpointBoard board, StickySessions sessions, Supplier<Catalog> catalog, DoubleSupplier random,
                     LongSupplier nanos) {
    this(board, sessions, catalog, random, nanos, OrderRules.ofDefaults());
  }

  /** @param rules which of the default order's rules are on */
  public MarketOrder(EndpointBoard board, StickySessions sessions, Supplier<Catalog> catalog, DoubleSupplier random,
                     LongSupplier nanos, OrderRules rules) {
    this(board, sessions, catalog, random, nanos, rules, PrefixHolders.NONE);
  }

  /** @param holders what the self-hosted workers' prefix caches hold, for prefix affinity */
  public MarketOrder(EndpointBoard board, StickySessions sessions, Supplier<Catalog> catalog, DoubleSupplier random,
                     LongSupplier nanos, OrderRules rules, PrefixHolders holders) {
    this.rules = rules;
    this.holders = holders;
    this.board = board;
    this.sessions = sessions;
    this.catalog = catalog;
    this.random = random;
    this.nanos = nanos;
  }

  /** The endpoint's latest statistics, as routing sees them. */
  public EndpointStats stats(Endpoint endpoint) {
    return board.stats(endpoint);
  }

  /** The endpoints in the order to try them, for one model. */
  public List<Endpoint> order(Model model, List<Endpoint> available, ChatRequest request) {
    return decide(model, available, request).endpoints();
  }

  /** One model's decision for a request. @throws RouterException 400 for a bad option, 503 when nothing fits */
  public RouteDecision decide(Model model, List<Endpoint> available, ChatRequest request) {
    RoutingOptions options = RoutingOptions.of(request);
    return decide(model, available, options, request, new RequestTrace(request.model()));
  }

  /**
   * Decisions for the model and then each of the request's {@code models[]} fallbacks, in the order to
   * try them; models none of whose endpoints fit the options are left out (503 when that is all).
   *
   * @param available a model's endpoints: its catalog endpoints plus those of every {@link EndpointSource}
   * @throws RouterException 404 for an unknown model, 400 for a bad option, 503 when nothing fits
   */
  public List<RouteDecision> plan(ChatRequest request, Function<Model, List<Endpoint>> available) {
    RoutingOptions options = RoutingOptions.of(request);
    return plan(request, options, models(request, options), available);
  }

  /**
   * {@link #plan(ChatRequest, Function)} for a caller that read the options and looked the models
   * up already ({@link #models}), to gather their endpoints first without waiting.
   */
  public List<RouteDecision> plan(ChatRequest request, RoutingOptions options, List<Model> models,
                                  Function<Model, List<Endpoint>> available) {
    RequestTrace trace = new RequestTrace(request.model());
    List<RouteDecision> decisions = new ArrayList<>();
    RouterException firstUnfit = null;
    for (Model model : models) {
      try {
        decisions.add(decide(model, available.apply(model), options, request, trace));
      } catch (RouterException e) {
        if (e.error().kind() != ErrorKind.UNAVAILABLE) {
          throw e;
        }
        firstUnfit = firstUnfit == null ? e : firstUnfit;
      }
    }
    if (decisions.isEmpty()) {
      throw firstUnfit;
    }
    return decisions;
  }

  /**
   * The request's model, then its fallbacks, in order: what {@link #plan} will need endpoints for.
   * Fails as {@code plan} does for an unknown model (404) or an unknown fallback (400).
   */
  public List<Model> models(ChatRequest request, RoutingOptions options) {
    Catalog now = catalog.get();
    List<String> ids = new ArrayList<>();
    ids.add(request.model());
    ids.addAll(options.fallbackModels());
    List<Model> models = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      int index = i - 1;
      models.add(now.model(id).orElseThrow(() -> new RouterException(index < 0 ? RouterError.modelNotFound(id)
          : RouterError.invalidRequest("'models[" + index + "]': the model '" + id + "' does not exist",
              "models"))));
    }
    return models;
  }

  RouteDecision decide(Model model, List<Endpoint> available, RoutingOptions options, ChatRequest request,
                       RequestTrace trace) {
    OptionalLong maxTokens = request.maxTokens();
    ProviderPreferences prefs = options.provider();
    int n = available.size();
    Endpoint[] fit = new Endpoint[n];
    int m = 0;
    List<RouteDecision.Rejection> rejections = List.of();
    Optional<WorkerPool> pool = Optional.empty();
    boolean poolLooked = false;
    boolean restricted = options.restrictsEndpoints() || maxTokens.isPresent();
    for (Endpoint e : available) {
      RouteDecision.Rejection rejection = restricted ? reject(e, model, options, maxTokens) : null;
      if (rejection == null) {
        fit[m++] = e;
      } else {
        if (rejections.isEmpty()) {
          rejections = new ArrayList<>(4);
        }
        rejections.add(rejection);
      }
    }
    if (m == 0) {
      throw nothingFits(model, rejections);
    }
    Optional<Sort> sort = options.sort();
    boolean ordered = !prefs.order().isEmpty();
    boolean effective = rules.effectiveCost() && sort.isEmpty() && !ordered;
    EndpointStats[] stats = new EndpointStats[m];
    Health[] health = new Health[m];
    // The expected answer length where an endpoint has none of its own: the model's measured mean.
    double completions = 0;
    long generations = 0;
    for (int i = 0; i < m; i++) {
      EndpointGuard guard = board.guard(fit[i]);
      EndpointStats s = board.stats(guard);
      stats[i] = s;
      health[i] = board.health(guard, s);
      TokenMix.Mix mix = s.mix();
      if (mix.measured()) {
        completions += mix.meanCompletion() * mix.generations();
        generations += mix.generations();
      }
    }
    EffectiveCost.Demand demand = new EffectiveCost.Demand(promptTokens(request), maxTokens,
        generations > 0 ? completions / generations : EffectiveCost.DEFAULT_COMPLETION_TOKENS);
    double[] effectiveScores = effective ? scores(fit, stats, m, demand) : null;
    long[] keys = new long[m];
    for (int i = 0; i < m; i++) {
      Endpoint e = fit[i];
      Health h = health[i];
      boolean meets = true;
      if (prefs.hasPreferences() || e.traits().predictedTtftMs() >= 0) {
        if (!poolLooked && e.protocol() == Endpoint.Protocol.WORKER) {
          pool = catalog.get().workerPool(model.id());
          poolLooked = true;
        }
        meets = meetsPreferences(e, prefs, pool);
      }
      int rank = h.ordinal() * 2 + (meets ? 0 : 1);
      long group = ordered ? orderGroup(prefs.order(), e) : 0;
      long secondary = effective ? scoreKey(effectiveScores[i]) : secondary(e, sort);
      keys[i] = (group << 55) | ((long) rank << 52) | (secondary << 12) | i;
    }
    Arrays.sort(keys);
    Endpoint[] out = new Endpoint[m];
    Health[] outHealth = new Health[m];
    double[] scores = new double[m];
    double[] drawScores = effective ? new double[m] : null;
    for (int i = 0; i < m; i++) {
      int index = (int) (keys[i] & 0xFFF);
      out[i] = fit[index];
      outHealth[i] = health[index];
      scores[i] = sort.isPresent() ? (keys[i] >>> 12) & SECONDARY_MAX : 0;
      if (effective) {
        drawScores[i] = effectiveScores[index];
      }
    }
    String strategy;
    if (sort.isPresent()) {
      strategy = "sort:" + sort.get().name().toLowerCase(java.util.Locale.ROOT);
    } else if (ordered) {
      strategy = "order";
    } else if (sticky(options, model, out, outHealth)) {
      strategy = "sticky";
      scores[0] = 1;
    } else {
      strategy = effective ? "effective-cost" : "weighted-price";
      drawFirst(out, outHealth, keys, scores, drawScores);
    }
    RouteDecision decision = new RouteDecision(model, options, strategy, Arrays.asList(out), outHealth, scores,
        rejections, board, sessions, nanos, trace, demand);
    if (rules.prefixAffinity() && !ordered && holders != PrefixHolders.NONE) {
      preferPrefixHolder(request, out, outHealth, scores, decision);
    }
    return decision;
  }

  /**
   * Prefix affinity: among the self-hosted workers no worse in health than the first one in the order,
   * the one holding most of the prompt's leading blocks takes the first worker's place, unless its
   * predicted first token (its queue-based prediction less the prefill its cache saves) is later than
   * that worker's. Other endpoints keep their places. Tells the decision what it did.
   */
  private void preferPrefixHolder(ChatRequest request, Endpoint[] out, Health[] health, double[] scores,
                                  RouteDecision decision) {
    int first = -1;
    for (int i = 0; i < out.length && first < 0; i++) {
      if (out[i].protocol() == Endpoint.Protocol.WORKER) {
        first = i;
      }
    }
    if (first < 0) {
      return;
    }
    PromptPrefix prefix = PromptPrefix.of(request.body());
    if (prefix.isEmpty()) {
      return;
    }
    long promptTokens = promptTokens(request);
    int holder = -1;
    int holderBlocks = 0;
    int firstBlocks = 0;
    for (int i = first; i < out.length; i++) {
      Endpoint e = out[i];
      if (e.protocol() != Endpoint.Protocol.WORKER || health[i].ordinal() > health[first].ordinal()) {
        continue;
      }
      int held = e.workerId().isEmpty() ? 0 : holders.heldBlocks(e.workerId().get(), prefix);
      if (i == first) {
        firstBlocks = held;
      }
      if (held > holderBlocks) {
        holder = i;
        holderBlocks = held;
      }
    }
    if (holder < 0) {
      decision.prefixAffinity("miss", 0);
      return;
    }
    long holderCached = Math.min(PromptPrefix.tokens(holderBlocks), promptTokens);
    if (holder == first) {
      decision.prefixAffinity("holder", holderCached);
      return;
    }
    long firstCached = Math.min(PromptPrefix.tokens(firstBlocks), promptTokens);
    if (ttftWithCache(out[holder], holderCached) > ttftWithCache(out[first], firstCached)) {
      decision.prefixAffinity("holder-busy", firstCached);
      return;
    }
    Endpoint chosen = out[holder];
    Health chosenHealth = health[holder];
    double chosenScore = scores[holder];
    System.arraycopy(out, first, out, first + 1, holder - first);
    System.arraycopy(health, first, health, first + 1, holder - first);
    System.arraycopy(scores, first, scores, first + 1, holder - first);
    out[first] = chosen;
    health[first] = chosenHealth;
    scores[first] = chosenScore;
    decision.prefixAffinity("holder", holderCached);
  }

  /** A worker's predicted time to first token, less the prefill of the tokens its cache holds, ms. */
  private double ttftWithCache(Endpoint worker, long cachedTokens) {
    double predicted = Math.max(0, worker.traits().predictedTtftMs());
    double prefill = worker.workerId().map(holders::prefillTokensPerSecond).orElse(0.0);
    return prefill > 0 ? predicted - cachedTokens * 1000.0 / prefill : predicted;
  }

  /** Each endpoint's effective-cost score: a small loop of its own, which the JIT compiles whole. */
  private static double[] scores(Endpoint[] fit, EndpointStats[] stats, int m, EffectiveCost.Demand demand) {
    double[] scores = new double[m];
    for (int i = 0; i < m; i++) {
      scores[i] = EffectiveCost.score(fit[i], stats[i], demand);
    }
    return scores;
  }

  /** The prompt's tokens as routing estimates them before any upstream counted: about 4 characters each. */
  static long promptTokens(ChatRequest request) {
    return Math.max(1, request.promptChars() / 4);
  }

  /**
   * A positive score as a sort key that orders as the score does: a float's bits do, for positive
   * floats, and 31 bits fit the key's secondary field.
   */
  private static long scoreKey(double score) {
    return Float.floatToRawIntBits((float) score) & 0x7FFF_FFFFL;
  }

  /**
   * Among the leading endpoints of the best class, draws the first at random weighted by 1/score^2
   * (by {@code drawScores}, or by the blended list price where null) and moves it to the front; the
   * others keep their best-first order. Scores are the chances.
   */
  private void drawFirst(Endpoint[] out, Health[] health, long[] keys, double[] scores, double[] drawScores) {
    long classMask = ~((1L << 52) - 1);
    long firstClass = keys[0] & classMask;
    int k = 1;
    while (k < out.length && (keys[k] & classMask) == firstClass) {
      k++;
    }
    if (k == 1) {
      scores[0] = 1;
      return;
    }
    double total = 0;
    for (int i = 0; i < k; i++) {
      scores[i] = drawScores != null ? 1 / (drawScores[i] * drawScores[i]) : weight(out[i]);
      total += scores[i];
    }
    double r = random.getAsDouble() * total;
    int pick = k - 1;
    double seen = 0;
    for (int i = 0; i < k; i++) {
      seen += scores[i];
      if (r < seen) {
        pick = i;
        break;
      }
    }
    for (int i = 0; i < k; i++) {
      scores[i] /= total;
    }
    if (pick > 0) {
      Endpoint chosen = out[pick];
      Health chosenHealth = health[pick];
      double chosenScore = scores[pick];
      System.arraycopy(out, 0, out, 1, pick);
      System.arraycopy(health, 0, health, 1, pick);
      System.arraycopy(scores, 0, scores, 1, pick);
      out[0] = chosen;
      health[0] = chosenHealth;
      scores[0] = chosenScore;
    }
  }

  private static double weight(Endpoint e) {
    double price = Math.max(1, e.price().blendedMicrosPerMillion());
    return 1 / (price * price);
  }

  /** Moves the session's endpoint to the front where staying pays (cheaper cached prompts) and it is up. */
  private boolean sticky(RoutingOptions options, Model model, Endpoint[] out, Health[] health) {
    if (options.sessionId().isEmpty()) {
      return false;
    }
    Optional<String> id = sessions.endpointFor(options.sessionId().get(), model.id());
    if (id.isEmpty()) {
      return false;
    }
    for (int i = 0; i < out.length; i++) {
      if (out[i].id().equals(id.get())) {
        if (health[i] == Health.DOWN || !out[i].price().discountsCachedPrompts()) {
          return false;
        }
        Endpoint chosen = out[i];
        Health chosenHealth = health[i];
        System.arraycopy(out, 0, out, 1, i);
        System.arraycopy(health, 0, health, 1, i);
        out[0] = chosen;
        health[0] = chosenHealth;
        return true;
      }
    }
    return false;
  }

  private long secondary(Endpoint e, Optional<Sort> sort) {
    long value;
    if (sort.isEmpty() || sort.get() == Sort.PRICE) {
      value = e.price().blendedMicrosPerMillion();
    } else if (sort.get() == Sort.LATENCY) {
      long predicted = e.traits().predictedTtftMs();
      long measured = board.stats(e).ttftP50Ms();
      long ttft = predicted >= 0 ? predicted : measured;
      value = ttft < 0 ? SECONDARY_MAX : ttft;
    } else {
      long tps = board.stats(e).throughputP50();
      value = tps < 0 ? SECONDARY_MAX : SECONDARY_MAX - 1 - Math.min(tps, SECONDARY_MAX - 1);
    }
    return Math.min(value, SECONDARY_MAX);
  }

  private static long orderGroup(List<String> order, Endpoint e) {
    int at = order.indexOf(e.provider());
    if (at < 0) {
      at = order.indexOf(e.id());
    }
    return at < 0 ? Math.min(order.size(), ORDER_GROUP_CAP) : Math.min(at, ORDER_GROUP_CAP - 1);
  }

  private boolean meetsPreferences(Endpoint e, ProviderPreferences prefs, Optional<WorkerPool> pool) {
    long predicted = e.traits().predictedTtftMs();
    if (predicted >= 0) {
      // A self-hosted worker whose queue makes it late spills the request over to external endpoints.
      long target = Long.MAX_VALUE;
      if (prefs.preferredMaxLatencyMs().isPresent()) {
        target = prefs.preferredMaxLatencyMs().getAsLong();
      }
      if (e.protocol() == Endpoint.Protocol.WORKER && pool.isPresent() && pool.get().maxTtftMs().isPresent()) {
        target = Math.min(target, pool.get().maxTtftMs().getAsLong());
      }
      if (predicted > target) {
        return false;
      }
    }
    EndpointStats stats = board.stats(e);
    if (prefs.preferredMaxLatencyMs().isPresent() && predicted < 0 && stats.ttftP50Ms() >= 0
        && stats.ttftP50Ms() > prefs.preferredMaxLatencyMs().getAsLong()) {
      return false;
    }
    return prefs.preferredMinThroughput().isEmpty() || stats.throughputP50() < 0
        || stats.throughputP50() >= prefs.preferredMinThroughput().getAsLong();
  }

  /**
   * Why the request's options rule the endpoint out, or null when they do not. A decision skips this
   * when {@link RoutingOptions#restrictsEndpoints()} is false and there is no {@code max_tokens}: a
   * rule added here must make that true for its option too (RoutingOptionsTest lists them).
   */
  static RouteDecision.Rejection reject(Endpoint e, Model model, RoutingOptions options, OptionalLong maxTokens) {
    ProviderPreferences p = options.provider();
    if (options.variant() == Variant.FREE && !e.price().isFree()) {
      return new RouteDecision.Rejection(e, "model", "not free (:free asks for endpoints that charge nothing)");
    }
    if (!p.only().isEmpty() && !p.only().contains(e.provider()) && !p.only().contains(e.id())) {
      return new RouteDecision.Rejection(e, "provider.only", "not in provider.only");
    }
    if (p.ignore().contains(e.provider()) || p.ignore().contains(e.id())) {
      return new RouteDecision.Rejection(e, "provider.ignore", "in provider.ignore");
    }
    if (!p.allowFallbacks() && !p.order().isEmpty() && !p.order().contains(e.provider())
        && !p.order().contains(e.id())) {
      return new RouteDecision.Rejection(e, "provider.allow_fallbacks",
          "not in provider.order, and allow_fallbacks is false");
    }
    if (!p.quantizations().isEmpty() && !p.quantizations().contains(e.traits().quantization())) {
      return new RouteDecision.Rejection(e, "provider.quantizations",
          "quantization " + e.traits().quantization() + " is not in provider.quantizations");
    }
    // Our own workers keep nothing; an external provider of unknown policy is assumed to collect.
    if (p.denyDataCollection() && e.protocol() != Endpoint.Protocol.WORKER && e.traits().dataPolicy().collects()) {
      return new RouteDecision.Rejection(e, "provider.data_collection",
          "the provider may train on or retain prompts");
    }
    if (p.requireParameters() && !options.requestedParameters().isEmpty()) {
      Set<String> supported = e.traits().supportedParameters().isEmpty()
          ? model.details().supportedParameters() : e.traits().supportedParameters();
      for (String parameter : options.requestedParameters()) {
        if (!supported.contains(parameter)) {
          return new RouteDecision.Rejection(e, "provider.require_parameters", "does not support '" + parameter + "'");
        }
      }
    }
    if (p.maxPromptPrice().isPresent() && e.price().promptMicrosPerMillion() > p.maxPromptPrice().getAsLong()) {
      return new RouteDecision.Rejection(e, "provider.max_price.prompt", "prompt price above provider.max_price");
    }
    if (p.maxCompletionPrice().isPresent()
        && e.price().completionMicrosPerMillion() > p.maxCompletionPrice().getAsLong()) {
      return new RouteDecision.Rejection(e, "provider.max_price.completion",
          "completion price above provider.max_price");
    }
    if (maxTokens.isPresent() && e.traits().maxOutputTokens() > 0
        && maxTokens.getAsLong() > e.traits().maxOutputTokens()) {
      return new RouteDecision.Rejection(e, "max_tokens", "generates at most " + e.traits().maxOutputTokens()
          + " tokens");
    }
    return null;
  }

  private static RouterException nothingFits(Model model, List<RouteDecision.Rejection> rejections) {
    if (rejections.isEmpty()) {
      return new RouterException(new RouterError(ErrorKind.UNAVAILABLE,
          "No endpoint currently serves " + model.id(), null, "no_endpoint"));
    }
    StringBuilder message = new StringBuilder("No endpoint of ").append(model.id())
        .append(" satisfies the request's routing options: ");
    Map<String, Object> byEndpoint = new LinkedHashMap<>();
    String param = rejections.get(0).param();
    for (int i = 0; i < rejections.size(); i++) {
      RouteDecision.Rejection r = rejections.get(i);
      message.append(i == 0 ? "" : "; ").append(r.endpoint().provider()).append(": ").append(r.reason())
          .append(" (").append(r.param()).append(')');
      byEndpoint.put(r.endpoint().id(), r.reason());
      if (!r.param().equals(param)) {
        param = "provider";
      }
    }
    return new RouterException(new RouterError(ErrorKind.UNAVAILABLE, message.toString(), param,
        "no_endpoint_matches", Map.of("rejected", byEndpoint)));
  }
}
