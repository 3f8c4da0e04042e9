package dev.silkroute.billing.usage;

import dev.silkroute.billing.ledger.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;

/** Consumer metrics. Labels are bounded: outcome and rejection kind only, never ids. */
final class UsageMetrics {

  private final Counter recorded;
  private final Counter duplicates;
  private final Counter holdsSettled;
  private final Map<Verdict.Kind, Counter> deadLettered = new EnumMap<>(Verdict.Kind.class);
  private final Timer committedBatches;
  private final Timer failedBatches;

  UsageMetrics(MeterRegistry registry) {
    recorded = Counter.builder("silkroute.billing.usage.recorded")
        .description("Usage events that became new ledger rows").register(registry);
    duplicates = Counter.builder("silkroute.billing.usage.duplicates")
        .description("Usage events skipped because their event id was already in the ledger")
        .register(registry);
    holdsSettled = Counter.builder("silkroute.billing.usage.holds.settled")
        .description("Credit holds that billing settled from the ledger because their router had not")
        .register(registry);
    for (Verdict.Kind kind : Verdict.Kind.values()) {
      deadLettered.put(kind, Counter.builder("silkroute.billing.usage.dead.lettered")
          .description("Usage records sent to the DLQ topic").tag("reason", kind.label())
          .register(registry));
    }
    committedBatches = batchTimer(registry, "committed");
    failedBatches = batchTimer(registry, "failed");
  }

  private static Timer batchTimer(MeterRegistry registry, String outcome) {
    return Timer.builder("silkroute.billing.usage.batch")
        .description("Time to dead-letter, record and commit one poll batch")
        .tag("outcome", outcome).register(registry);
  }

  void recorded(int n) {
    recorded.increment(n);
  }

  void duplicates(int n) {
    duplicates.increment(n);
  }

  void holdsSettled(int n) {
    holdsSettled.increment(n);
  }

  void deadLettered(Verdict.Kind kind) {
    deadLettered.get(kind).increment();
  }

  Timer committedBatches() {
    return committedBatches;
  }

  Timer failedBatches() {
    return failedBatches;
  }
}
