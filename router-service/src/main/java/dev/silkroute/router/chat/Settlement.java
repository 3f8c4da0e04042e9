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

  CompletableFuture<Void> settleAsync(Generation generation, Admission.Ticket ticket) {
    try {
      // Publishing only hands the event to the Kafka producer. It can wait (at most max.block.ms, then
      // the event is spooled) only while Kafka is unreachable.
      usage.publish(generation.toUsageEvent(routerInstance, clock.instant(), nanos.getAsLong()));
      TokenUsage tokens = generation.usage();
      return ticket.settleAsync(generation.priceMicros(), tokens.promptTokens() + tokens.completionTokens());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
