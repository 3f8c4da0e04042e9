package dev.silkroute.router.models;

import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.config.RouterSettings;
import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.EndpointSource;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.List;

/** Wires the public model listing to the catalog in force and routing's endpoint statistics. */
@Factory
final class ModelsBeans {

  @Singleton
  ModelListing modelListing(Provider<Catalog> catalog, List<EndpointSource> sources, EndpointBoard board,
                            RouterSettings settings) {
    return new ModelListing(catalog::get, sources, board, catalogModified(settings));
  }

  /**
   * The catalog file's modification time stands in for "when the model was added" (OpenRouter's
   * {@code created}): stable across restarts, unlike the start time, and newer when models change.
   */
  private static long catalogModified(RouterSettings settings) {
    try {
      return Files.getLastModifiedTime(settings.catalog()).toInstant().getEpochSecond();
    } catch (IOException e) {
      return Clock.systemUTC().instant().getEpochSecond();
    }
  }
}
