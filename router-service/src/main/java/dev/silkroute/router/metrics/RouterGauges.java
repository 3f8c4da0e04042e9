package dev.silkroute.router.metrics;

import dev.silkroute.router.routing.EndpointBoard;
import dev.silkroute.router.routing.Lateness;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges read from routing's live state: the usage spool's depth, and one circuit-state gauge per
 * endpoint routing has guarded. Endpoints appear as traffic reaches them, so the circuit rows are
 * re-read every {@code interval} rather than fixed at start-up.
 */
final class RouterGauges implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RouterGauges.class);

  static final String SPOOL_DEPTH = "silkroute.router.usage.spool.depth";
  static final String CIRCUIT_STATE = "silkroute.router.circuit.state";
  static final String LATE_ATTEMPTS = "silkroute.router.upstream.late";
  static final String PROMPT_PRICE = "silkroute.router.endpoint.prompt.price.usd.per.mtok";
  static final String CACHED_SHARE = "silkroute.router.endpoint.cached.share";

  /** This replica's count of an endpoint's attempts that were late in one way. */
  @FunctionalInterface
  interface LateCounts {
    long count(String endpointId, Lateness kind);
  }

  private final Supplier<Map<String, CircuitBreaker.State>> circuits;
  private final MultiGauge circuitGauge;
  private final MeterRegistry registry;
  private final LateCounts late;
  private final Supplier<Map<String, EndpointBoard.PromptPrice>> prices;
  private final MultiGauge priceGauge;
  private final MultiGauge cachedShareGauge;
  /** Endpoints whose late-attempt counters are registered: once each (they are read live). */
  private final Set<String> counted = new HashSet<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "router-gauges");
    t.setDaemon(true);
    return t;
  });

  RouterGauges(MeterRegistry registry, LongSupplier spoolBytes,
               Supplier<Map<String, CircuitBreaker.State>> circuits, Duration interval) {
    this(registry, spoolBytes, circuits, (endpoint, kind) -> 0, interval);
  }

  /** @param late per endpoint, attempts given up at their first-byte timeout, stalled streams, slow calls */
  RouterGauges(MeterRegistry registry, LongSupplier spoolBytes,
               Supplier<Map<String, CircuitBreaker.State>> circuits, LateCounts late, Duration interval) {
    this(registry, spoolBytes, circuits, late, Map::of, interval);
  }

  /** @param prices per endpoint, its list and effective prompt price (effective cost routing) */
  RouterGauges(MeterRegistry registry, LongSupplier spoolBytes,
               Supplier<Map<String, CircuitBreaker.State>> circuits, LateCounts late,
               Supplier<Map<String, EndpointBoard.PromptPrice>> prices, Duration interval) {
    this.circuits = circuits;
    this.prices = prices;
    priceGauge = MultiGauge.builder(PROMPT_PRICE)
        .description("Prompt price per endpoint, USD per million tokens: kind=list as listed, kind=effective"
            + " with the endpoint's measured prompt-cache share (what effective-cost routing ranks by)")
        .register(registry);
    cachedShareGauge = MultiGauge.builder(CACHED_SHARE)
        .description("Share of the endpoint's prompt tokens served from a prompt or prefix cache, last 30 min")
        .register(registry);
    this.registry = registry;
    this.late = late;
    Gauge.builder(SPOOL_DEPTH, spoolBytes, s -> s.getAsLong())
        .description("Bytes of usage events waiting in the local spool for Kafka")
        .baseUnit(BaseUnits.BYTES).register(registry);
    circuitGauge = MultiGauge.builder(CIRCUIT_STATE)
        .description("Circuit breaker state per endpoint: 0 closed, 1 half-open, 2 open")
        .register(registry);
    refresh();
    long millis = Math.max(1, interval.toMillis());
    scheduler.scheduleWithFixedDelay(this::refreshQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Replaces the circuit rows with the endpoints and states routing knows now. */
  void refresh() {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    circuits.get().forEach((endpointId, state) -> {
      EndpointName name = EndpointName.of(endpointId);
      Tags tags = Tags.of("endpoint", endpointId, "provider", name.provider(), "model", name.model());
      rows.add(MultiGauge.Row.of(tags, level(state)));
      if (counted.add(endpointId)) {
        for (Lateness kind : Lateness.values()) {
          FunctionCounter.builder(LATE_ATTEMPTS, late, counts -> counts.count(endpointId, kind))
              .description("Attempts that were late: given up at the first-byte timeout, streams ended for"
                  + " stalling, slow calls (first byte later than their timeout)")
              .tags(tags.and("kind", kind.label())).register(registry);
        }
      }
    });
    circuitGauge.register(rows, true);
    List<MultiGauge.Row<?>> priceRows = new ArrayList<>();
    List<MultiGauge.Row<?>> shareRows = new ArrayList<>();
    prices.get().forEach((endpointId, price) -> {
      EndpointName name = EndpointName.of(endpointId);
      Tags tags = Tags.of("endpoint", endpointId, "provider", name.provider(), "model", name.model());
      priceRows.add(MultiGauge.Row.of(tags.and("kind", "list"), price.listMicrosPerMillion() / 1e6));
      priceRows.add(MultiGauge.Row.of(tags.and("kind", "effective"), price.effectiveMicrosPerMillion() / 1e6));
      shareRows.add(MultiGauge.Row.of(tags, price.cachedShare()));
    });
    priceGauge.register(priceRows, true);
    cachedShareGauge.register(shareRows, true);
  }

  /** Numeric state for graphs and alerts: "== 2" selects open circuits. */
  static int level(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> 2;
      case HALF_OPEN -> 1;
      default -> 0; // closed, disabled, metrics-only: calls go through
    };
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("circuit gauges not refreshed: {}", e.toString()); // next round retries
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
