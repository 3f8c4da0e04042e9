package dev.silkroute.router.routing;

import java.util.Locale;

/** A routing variant, selected by a model id suffix: {@code author/slug:floor}. */
public enum Variant {
  NONE,
  /** Cheapest first, strictly (same as {@code provider.sort: "price"}). */
  FLOOR,
  /** Fastest generation first, strictly (same as {@code provider.sort: "throughput"}). */
  NITRO,
  /** Only endpoints that charge nothing. */
  FREE;

  /** The variant of a requested model id. */
  public static Variant of(String modelId) {
    int colon = modelId.lastIndexOf(':');
    if (colon < 0) {
      return NONE;
    }
    return switch (modelId.substring(colon + 1)) {
      case "floor" -> FLOOR;
      case "nitro" -> NITRO;
      case "free" -> FREE;
      default -> NONE;
    };
  }

  /** The model id without a variant suffix. */
  public static String baseModel(String modelId) {
    return of(modelId) == NONE ? modelId : modelId.substring(0, modelId.lastIndexOf(':'));
  }

  public String suffix() {
    return this == NONE ? "" : ":" + name().toLowerCase(Locale.ROOT);
  }
}
