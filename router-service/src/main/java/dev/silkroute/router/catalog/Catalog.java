package dev.silkroute.router.catalog;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models, providers and worker pools the router can route to. Immutable: a reload builds a new
 * one (see {@link CatalogHolder}).
 */
public final class Catalog {

  /** Suffixes that select a routing variant of a model rather than a model of their own. */
  private static final List<String> VARIANTS = List.of(":floor", ":nitro", ":free");

  private final Map<String, Model> models;
  private final Map<String, Provider> providers;
  private final Map<String, WorkerPool> pools;

  public Catalog(List<Model> models) {
    this(models, List.of(), List.of());
  }

  public Catalog(List<Model> models, List<Provider> providers, List<WorkerPool> pools) {
    Map<String, Model> byId = new LinkedHashMap<>();
    for (Model model : models) {
      if (byId.put(model.id(), model) != null) {
        throw new IllegalArgumentException("model listed twice in the catalog: " + model.id());
      }
    }
    Map<String, Provider> byName = new LinkedHashMap<>();
    providers.forEach(p -> byName.put(p.name(), p));
    Map<String, WorkerPool> byModel = new LinkedHashMap<>();
    for (WorkerPool pool : pools) {
      if (!byId.containsKey(pool.modelId())) {
        throw new IllegalArgumentException("worker_pools[" + pool.name() + "] serves " + pool.modelId()
            + ", which is not in models");
      }
      if (byModel.put(pool.modelId(), pool) != null) {
        throw new IllegalArgumentException("two worker pools serve " + pool.modelId());
      }
    }
    this.models = Collections.unmodifiableMap(byId);
    this.providers = Collections.unmodifiableMap(byName);
    this.pools = Collections.unmodifiableMap(byModel);
  }

  /**
   * The model with this id; a variant id ({@code author/slug:floor}, {@code :nitro}, {@code :free})
   * resolves to its base model unless the catalog lists the variant as a model of its own.
   */
  public Optional<Model> model(String id) {
    Model exact = models.get(id);
    if (exact != null) {
      return Optional.of(exact);
    }
    for (String suffix : VARIANTS) {
      if (id.endsWith(suffix)) {
        return Optional.ofNullable(models.get(id.substring(0, id.length() - suffix.length())));
      }
    }
    return Optional.empty();
  }

  public Collection<Model> models() {
    return models.values();
  }

  public Optional<Provider> provider(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  public Collection<Provider> providers() {
    return providers.values();
  }

  /** The self-hosted pool serving this model, if any. */
  public Optional<WorkerPool> workerPool(String modelId) {
    return Optional.ofNullable(pools.get(modelId));
  }

  public Collection<WorkerPool> workerPools() {
    return pools.values();
  }
}
