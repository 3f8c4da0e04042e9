package dev.silkroute.router.usage;

import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

/** Retries spooled usage events every half minute, so a Kafka outage heals without a restart. */
@Singleton
final class SpoolReplay {

  private final UsagePublisher publisher;

  SpoolReplay(UsagePublisher publisher) {
    this.publisher = publisher;
  }

  @Scheduled(fixedDelay = "30s", initialDelay = "30s")
  void replay() {
    publisher.requestReplay();
  }
}
