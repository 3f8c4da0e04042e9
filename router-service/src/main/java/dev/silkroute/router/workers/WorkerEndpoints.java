package dev.silkroute.router.workers;

import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.catalog.WorkerPool;
import dev.silkroute.router.routing.EndpointSource;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * The live workers serving a model, as endpoints ({@link Endpoint.Protocol#WORKER}), for every
 * request. Left out: workers predicted to start the request later than the latency target (the pool's
 * {@code max_ttft_ms}, else {@code maxPredictedTtft}), so the router spills over to external
 * providers.
 *
 * <p>Order: a weighted random permutation with weights = each worker's free capacity (capacity minus
 * the requests all routers have in flight there). Requests arriving together then spread over the
 * workers in proportion to what each can still take, instead of all choosing the least loaded one.
 * Workers every router together has filled come last, least loaded first: their charge is claimed
 * again at the attempt ({@link WorkerAdapter}), which takes a slot freed meanwhile or fails "at
 * capacity", so a pool that is full answers 503 with Retry-After instead of an unknown endpoint.
 * Every worker of a model has the same customer price, so a price-ordered routing
 * keeps this order among them (a stable sort).
 */
public final class WorkerEndpoints implements EndpointSource {

  /** The provider name of workers when the catalog has no pool for the model. */
  public static final String PROVIDER = "self-hosted";

  private final WorkerRegistry registry;
  private final InflightCharges charges;
  private final WorkerPricing pricing;
  private final Function<String, Optional<WorkerPool>> pools;
  private final Duration maxPredictedTtft;
  private final DoubleSupplier random;

  /**
   * @param pools   the catalog's worker pool for a model id, if any
   * @param random  uniform in [0, 1)
   */
  WorkerEndpoints(WorkerRegistry registry, InflightCharges charges, WorkerPricing pricing,
                  Function<String, Optional<WorkerPool>> pools, Duration maxPredictedTtft, DoubleSupplier random) {
    this.registry = registry;
    this.charges = charges;
    this.pricing = pricing;
    this.pools = pools;
    this.maxPredictedTtft = maxPredictedTtft;
    this.random = random;
  }

  @Override
  public List<Endpoint> endpoints(Model model) {
    return endpointsAsync(model).join();
  }

  /**
   * Without waiting: the in-flight counts of the workers that serve the model are read from Redis
   * asynchronously (at once when none does). Completes on Lettuce's I/O thread when it read them.
   */
  @Override
  public CompletableFuture<List<Endpoint>> endpointsAsync(Model model) {
    Optional<WorkerPool> pool = pools.apply(model.id());
    String served = pool.map(WorkerPool::upstreamModel).orElse(model.id());
    long ttftLimit = pool.flatMap(p -> p.maxTtftMs().isPresent()
        ? Optional.of(p.maxTtftMs().getAsLong()) : Optional.empty()).orElse(maxPredictedTtft.toMillis());
    List<LiveWorker> fast = registry.serving(served).stream()
        .filter(w -> w.status().getEstimatedTtftMs() <= ttftLimit)
        .toList();
    if (fast.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    return charges.countsAsync(fast.stream().map(LiveWorker::id).toList())
        .thenApply(counts -> ranked(model, pool, served, fast, counts.orElseGet(() -> reported(fast))));
  }

  private List<Endpoint> ranked(Model model, Optional<WorkerPool> pool, String served, List<LiveWorker> fast,
                                Map<String, Long> inflight) {
    List<Ranked> ranked = new ArrayList<>();
    List<Ranked> full = new ArrayList<>();
    for (LiveWorker worker : fast) {
      long free = worker.capacity() - inflight.getOrDefault(worker.id(), 0L);
      if (free > 0) {
        // Efraimidis-Spirakis: sorting by u^(1/w) descending draws workers with probability ~ w.
        ranked.add(new Ranked(worker, Math.pow(random.getAsDouble(), 1.0 / free)));
      } else {
        full.add(new Ranked(worker, free));
      }
    }
    ranked.sort(Comparator.comparingDouble(Ranked::key).reversed());
    // Full ones last, least loaded first: a slot that frees up before the attempt is taken, and when
    // none does the request ends "at capacity" (503, Retry-After) rather than "no endpoint".
    full.sort(Comparator.comparingDouble(Ranked::key).reversed());
    ranked.addAll(full);
    Pricing highestCost = ranked.stream().map(r -> pricing.cost(r.worker()))
        .max(Comparator.comparingLong(Pricing::blendedMicrosPerMillion)).orElseThrow();
    Pricing price = pricing.price(pool.map(WorkerPool::price), highestCost);
    String provider = pool.map(WorkerPool::name).orElse(PROVIDER);
    String quantization = pool.flatMap(WorkerPool::quantization).orElse("unknown");
    return ranked.stream().map(r -> endpoint(r.worker(), model, served, provider, price, quantization)).toList();
  }

  private Endpoint endpoint(LiveWorker worker, Model model, String served, String provider, Pricing price,
                            String quantization) {
    // Self-hosted: prompts never leave our machines.
    Endpoint.Traits traits = new Endpoint.Traits(quantization, 0, 0, 0, DataPolicy.NONE, Set.of(),
        worker.status().getEstimatedTtftMs());
    return new Endpoint(provider + "/" + worker.id() + "/" + model.id(), provider, Endpoint.Protocol.WORKER,
        URI.create("grpc://" + worker.status().getAddress()), served, Optional.empty(), price,
        pricing.cost(worker), traits);
  }

  /** Without Redis counts, the workers' own reports (at most a heartbeat old) stand in. */
  private static Map<String, Long> reported(List<LiveWorker> workers) {
    Map<String, Long> load = new HashMap<>();
    workers.forEach(w -> load.put(w.id(), (long) w.status().getRunning() + w.status().getQueued()));
    return load;
  }

  private record Ranked(LiveWorker worker, double key) {
  }
}
