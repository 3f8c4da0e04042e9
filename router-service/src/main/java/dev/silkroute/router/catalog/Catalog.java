package dev.silkroute.router.catalog;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The models and endpoints the router can route to. Immutable; loaded once at start-up. */
public final class Catalog {

  private final Map<String, Model> models;

  public Catalog(List<Model> models) {
    Map<String, Model> byId = new LinkedHashMap<>();
    for (Model model : models) {
      if (byId.put(model.id(), model) != null) {
        throw new IllegalArgumentException("model listed twice in the catalog: " + model.id());
      }
    }
    this.models = java.util.Collections.unmodifiableMap(byId);
  }

  public Optional<Model> model(String id) {
    return Optional.ofNullable(models.get(id));
  }

  public Collection<Model> models() {
    return models.values();
  }
}
