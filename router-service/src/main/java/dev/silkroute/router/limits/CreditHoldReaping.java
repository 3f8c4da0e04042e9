package dev.silkroute.router.limits;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the {@link CreditHoldReaper} every half minute; Redis being away only skips a pass. */
@Singleton
final class CreditHoldReaping {

  private static final Logger LOG = LoggerFactory.getLogger(CreditHoldReaping.class);

  private final CreditHoldReaper reaper;

  CreditHoldReaping(CreditHoldReaper reaper) {
    this.reaper = reaper;
  }

  @Scheduled(fixedDelay = "30s", initialDelay = "30s")
  void reap() {
    try {
      CreditHoldReaper.Pass pass = reaper.releaseDue();
      if (pass.released() > 0) {
        LOG.warn("Gave back the credit of {} requests whose router never settled them", pass.released());
      }
      if (pass.unreadable() > 0) {
        LOG.error("{} credit holds cannot be read by the scripts; their reservations stay held", pass.unreadable());
      }
    } catch (RuntimeException e) {
      LOG.warn("Could not release due credit holds; trying again in 30s", e);
    }
  }
}
