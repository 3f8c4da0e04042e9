package dev.silkroute.router.chat;

import dev.silkroute.router.limits.Admission;
import dev.silkroute.router.provider.TokenUsage;
import dev.silkroute.router.usage.UsagePublisher;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Ends an admitted request's account, exactly once (its {@link Exchange} sees to that): the usage
 * event handed to the publisher, then the credit reservation turned into the actual cost.
 */
final class Settlement {

  private final UsagePublisher usage;
  private final Clock clock;
  private final LongSupplier nanos;
  private final String routerInstance;

  Settlement(UsagePublisher usage, Clock clock, LongSupplier nanos, String routerInstance) {
    this.usage = usage;
    this.clock = clock;
    this.nanos = nanos;
    this.routerInstance = routerInstance;
  }

  /**
   * Hands the request's usage event to the publisher (journaled at once, sent to Kafka by its
   * thread): for a stream, before the answer's last byte, so a crash after the client has its answer
   * cannot lose the event.
   */
  void publish(Generation generation) {
    usage.publish(generation.toUsageEvent(routerInstance, clock.instant(), nanos.getAsLong()));
  }

  /** The credit reservation turned into the actual cost. */
  CompletableFuture<Void> settleAsync(Generation generation, Admission.Ticket ticket) {
    try {
      TokenUsage tokens = generation.usage();
      return ticket.settleAsync(generation.priceMicros(), tokens.promptTokens() + tokens.completionTokens());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
