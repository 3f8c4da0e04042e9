package dev.silkroute.billing.usage;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the consumer thread last reported, for /health: it is unhealthy until it has subscribed
 * (Kafka reachable, topics there), when the thread died, or when the last
 * {@code unhealthyAfterFailures} batches in a row could not be written.
 */
public final class ConsumerHealth {

  private final Clock clock;
  private final int unhealthyAfterFailures;
  private volatile boolean running;
  private volatile boolean subscribed;
  private volatile Throwable death;
  private volatile int consecutiveFailures;
  private volatile String lastFailure;
  private volatile Instant lastCommit;

  ConsumerHealth(Clock clock, int unhealthyAfterFailures) {
    this.clock = clock;
    this.unhealthyAfterFailures = unhealthyAfterFailures;
  }

  void started() {
    running = true;
  }

  /** The topics exist and the consumer joined its group: from now on events are being read. */
  void subscribed() {
    subscribed = true;
  }

  void stopped() {
    running = false;
  }

  void died(Throwable cause) {
    death = cause;
    running = false;
  }

  void batchCommitted() {
    consecutiveFailures = 0;
    lastCommit = clock.instant();
  }

  void batchFailed(Exception cause) {
    consecutiveFailures++;
    lastFailure = cause.getMessage();
  }

  public boolean healthy() {
    return death == null && running && subscribed
        && consecutiveFailures < unhealthyAfterFailures;
  }

  public Map<String, Object> details() {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("running", running);
    details.put("subscribed", subscribed);
    details.put("consecutive_failures", consecutiveFailures);
    if (lastFailure != null) {
      details.put("last_failure", lastFailure);
    }
    if (death != null) {
      details.put("died", death.toString());
    }
    if (lastCommit != null) {
      details.put("last_commit", lastCommit.toString());
    }
    return details;
  }
}
