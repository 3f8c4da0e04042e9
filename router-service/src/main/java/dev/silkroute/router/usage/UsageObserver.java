package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;

/**
 * Sees every usage event the router publishes, and how its publication went: the hook for metrics.
 * Called on request threads, the publisher thread and Kafka's; implementations must be quick and must not throw.
 */
public interface UsageObserver {

  /** A request ended and its event is queued for Kafka. */
  default void published(UsageEvent event) {
  }

  /** Kafka acknowledged an event, {@code nanos} after it was handed to the producer. */
  default void delivered(long nanos) {
  }

  /** Kafka did not take an event; it went to the spool. */
  default void spooled(UsageEvent event) {
  }
}
