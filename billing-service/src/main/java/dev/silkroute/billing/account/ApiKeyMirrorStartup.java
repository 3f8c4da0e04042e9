package dev.silkroute.billing.account;

import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the Redis key mirror when billing starts, so a flushed or fresh Redis (or one that
 * missed a write) matches PostgreSQL again. A failure stops start-up: the router cannot
 * authenticate anyone against a mirror billing could not write.
 */
@Singleton
final class ApiKeyMirrorStartup {

  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyMirrorStartup.class);

  private final ApiKeys apiKeys;

  ApiKeyMirrorStartup(ApiKeys apiKeys) {
    this.apiKeys = apiKeys;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    ApiKeyMirror.Rebuild rebuild = apiKeys.rebuildMirror();
    LOG.info("Redis API key mirror rebuilt: {} keys written, {} stale entries removed",
        rebuild.written(), rebuild.removed());
  }
}
