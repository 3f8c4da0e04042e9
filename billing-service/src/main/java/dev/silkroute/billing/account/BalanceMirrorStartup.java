package dev.silkroute.billing.account;

import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds missing Redis balances and key spends when billing starts (flushed or new Redis). A
 * failure stops start-up: without balances the router cannot admit anyone.
 */
@Singleton
final class BalanceMirrorStartup {

  private static final Logger LOG = LoggerFactory.getLogger(BalanceMirrorStartup.class);

  private final Balances balances;

  BalanceMirrorStartup(Balances balances) {
    this.balances = balances;
  }

  @EventListener
  void onStartup(StartupEvent event) {
    Balances.Rebuild rebuild = balances.seedMissing();
    LOG.info("Redis balances: {} customer balances, {} key spends and {} credit totals seeded from PostgreSQL",
        rebuild.balancesSeeded(), rebuild.keySpendsSeeded(), rebuild.creditsGrantedSeeded());
  }
}
