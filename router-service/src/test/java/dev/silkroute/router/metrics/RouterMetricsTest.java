package dev.silkroute.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.routing.Lateness;
import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.proto.v1.UsageStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RouterMetricsTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final RouterMetrics metrics = new RouterMetrics(registry);

  private static UsageEvent event(int attempts) {
    return UsageEvent.newBuilder().setEventId("gen-1").setCustomerId("cus_1").setKeyId("key_1")
        .setModel("deepseek/deepseek-chat-v3").setModelAuthor("deepseek").setProvider("together")
        .setPromptTokens(12).setCompletionTokens(48).setPriceMicros(75).setProviderCostMicros(60)
        .setLatencyMs(420).setTimeToFirstTokenMs(90).setStatus(UsageStatus.USAGE_STATUS_OK)
        .setFinishReason("stop").setAttempts(attempts).build();
  }

  @Test
  void countsRequestsTokensAndMoneyByProviderModelAndAuthor() {
    metrics.published(event(1));
    metrics.published(event(1));

    assertThat(registry.get(RouterMetrics.REQUESTS).tags("provider", "together", "model", "deepseek/deepseek-chat-v3",
        "author", "deepseek", "status", "ok", "finish_reason", "stop").counter().count()).isEqualTo(2);
    assertThat(registry.get(RouterMetrics.TOKENS).tags("type", "prompt").counter().count()).isEqualTo(24);
    assertThat(registry.get(RouterMetrics.TOKENS).tags("type", "completion").counter().count()).isEqualTo(96);
    assertThat(registry.get(RouterMetrics.PRICE).counter().count()).isEqualTo(150);
    assertThat(registry.get(RouterMetrics.PROVIDER_COST).counter().count()).isEqualTo(120);
    assertThat(registry.get(RouterMetrics.LATENCY).timer().totalTime(TimeUnit.MILLISECONDS)).isEqualTo(840);
    assertThat(registry.get(RouterMetrics.TTFT).timer().count()).isEqualTo(2);
  }

  @Test
  void countsCachedPromptTokensSoThatAPoolsPrefixHitRateIsCachedOverPrompt() {
    metrics.published(event(1).toBuilder().setProvider("gpu-pool").setWorkerId("w1").setPromptTokens(2_000)
        .setCachedTokens(1_536).build());

    assertThat(registry.get(RouterMetrics.TOKENS).tags("provider", "gpu-pool", "type", "cached").counter().count())
        .isEqualTo(1_536);
    assertThat(registry.get(RouterMetrics.TOKENS).tags("provider", "gpu-pool", "type", "prompt").counter().count())
        .isEqualTo(2_000);
  }

  @Test
  void gaugesEachEndpointsListAndEffectivePromptPrice() {
    try (RouterGauges gauges = new RouterGauges(registry, () -> 0, Map::of, (endpoint, kind) -> 0,
        () -> Map.of("deepseek/deepseek/deepseek-chat-v3",
            new dev.silkroute.router.routing.EndpointBoard.PromptPrice(1_000_000, 550_000, 0.5)),
        Duration.ofHours(1))) {
      assertThat(registry.get(RouterGauges.PROMPT_PRICE).tags("provider", "deepseek", "kind", "list").gauge().value())
          .isEqualTo(1.0);
      assertThat(registry.get(RouterGauges.PROMPT_PRICE).tags("provider", "deepseek", "kind", "effective").gauge()
          .value()).isEqualTo(0.55);
      assertThat(registry.get(RouterGauges.CACHED_SHARE).tags("provider", "deepseek").gauge().value()).isEqualTo(0.5);
    }
  }

  @Test
  void neverLabelsByCustomerKeyOrGeneration() {
    metrics.published(event(1));

    registry.getMeters().forEach(meter -> assertThat(meter.getId().getTags())
        .allSatisfy(tag -> assertThat(tag.getValue()).doesNotContain("cus_", "key_", "gen-")));
  }

  @Test
  void countsHedgesByWinnerAndTheLosingLegsCostApartFromRequests() {
    metrics.published(event(2).toBuilder().setHedged(true).setServedByHedge(true).build());
    metrics.published(event(2).toBuilder().setHedged(true).build());
    metrics.published(event(1).toBuilder().setEventId("gen-1-hedge").setHedgeLoss(true).setHedgeOf("gen-1")
        .setPriceMicros(0).setProviderCostMicros(33).build());

    assertThat(registry.get(RouterMetrics.HEDGES).counter().count()).isEqualTo(2);
    assertThat(registry.get(RouterMetrics.HEDGE_WINS).tags("winner", "hedge").counter().count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.HEDGE_WINS).tags("winner", "primary").counter().count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.HEDGE_COST).tags("provider", "together").counter().count()).isEqualTo(33);
    assertThat(registry.get(RouterMetrics.REQUESTS).counter().count()).as("the losing leg is no request").isEqualTo(2);
    assertThat(registry.get(RouterMetrics.FALLBACKS).counter().count()).as("a hedge is no fallback").isZero();
  }

  @Test
  void countsAFallbackOnlyWhenMoreThanOneEndpointWasTried() {
    metrics.published(event(1));
    metrics.published(event(3));

    assertThat(registry.get(RouterMetrics.FALLBACKS).counter().count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.ATTEMPTS).counter().count()).isEqualTo(4);
  }

  @Test
  void leavesTimeToFirstTokenOutWhenNoTokenWasSent() {
    metrics.published(event(1).toBuilder().setTimeToFirstTokenMs(0).build());

    assertThat(registry.find(RouterMetrics.TTFT).timer()).isNull();
  }

  @Test
  void recordsKafkaDeliveriesAndSpooledEvents() {
    metrics.delivered(TimeUnit.MILLISECONDS.toNanos(7));
    metrics.spooled(event(1));

    assertThat(registry.get(RouterMetrics.KAFKA_PUBLISH).timer().count()).isEqualTo(1);
    assertThat(registry.get(RouterMetrics.SPOOLED).counter().count()).isEqualTo(1);
  }

  @Test
  void gaugesCircuitStatePerEndpointAndSpoolDepth() {
    Map<String, CircuitBreaker.State> states = new java.util.TreeMap<>(Map.of(
        "deepseek/deepseek/deepseek-chat-v3", CircuitBreaker.State.OPEN));
    try (RouterGauges gauges = new RouterGauges(registry, () -> 4096, () -> states, Duration.ofHours(1))) {
      assertThat(registry.get(RouterGauges.SPOOL_DEPTH).gauge().value()).isEqualTo(4096);
      assertThat(registry.get(RouterGauges.CIRCUIT_STATE).tags("endpoint", "deepseek/deepseek/deepseek-chat-v3",
          "provider", "deepseek", "model", "deepseek/deepseek-chat-v3").gauge().value()).isEqualTo(2);

      states.put("self-hosted/w1/qwen/qwen3-32b", CircuitBreaker.State.HALF_OPEN);
      gauges.refresh();

      assertThat(registry.get(RouterGauges.CIRCUIT_STATE).tags("provider", "self-hosted", "model", "qwen/qwen3-32b")
          .gauge().value()).isEqualTo(1);
    }
  }

  @Test
  void countsLateAttemptsPerEndpointAndKind() {
    Map<String, CircuitBreaker.State> states = Map.of("fireworks/deepseek/deepseek-chat-v3",
        CircuitBreaker.State.OPEN);
    Map<Lateness, Long> late = new java.util.EnumMap<>(Map.of(Lateness.FIRST_BYTE_TIMEOUT, 3L, Lateness.STALL, 1L));
    try (RouterGauges gauges = new RouterGauges(registry, () -> 0, () -> states,
        (endpoint, kind) -> late.getOrDefault(kind, 0L), Duration.ofHours(1))) {
      assertThat(registry.get(RouterGauges.LATE_ATTEMPTS).tags("provider", "fireworks", "kind", "first_byte_timeout")
          .functionCounter().count()).isEqualTo(3);
      assertThat(registry.get(RouterGauges.LATE_ATTEMPTS).tags("provider", "fireworks", "kind", "stall")
          .functionCounter().count()).isEqualTo(1);

      late.put(Lateness.FIRST_BYTE_TIMEOUT, 5L);
      gauges.refresh(); // registered once, read live

      assertThat(registry.get(RouterGauges.LATE_ATTEMPTS).tags("kind", "first_byte_timeout")
          .functionCounters()).hasSize(1).allSatisfy(counter -> assertThat(counter.count()).isEqualTo(5));
    }
  }

  @Test
  void p99IsTheBucketHoldingTheSlowestPercent() {
    for (int i = 0; i < 99; i++) {
      metrics.published(event(1).toBuilder().setLatencyMs(100).build());
    }
    metrics.published(event(1).toBuilder().setLatencyMs(9_000).build());
    metrics.published(event(1).toBuilder().setLatencyMs(9_000).build());

    long p99 = ProviderHealth.p99Millis(RouterMetrics.latencyTimer(registry, "together", "deepseek/deepseek-chat-v3"));

    assertThat(p99).isGreaterThanOrEqualTo(9_000).isLessThan(15_000);
  }

  @Test
  void readsProviderAndModelBackFromEndpointIds() {
    assertThat(EndpointName.of("together/meta-llama/llama-3.3-70b-instruct"))
        .isEqualTo(new EndpointName("together", "meta-llama/llama-3.3-70b-instruct"));
    assertThat(EndpointName.of("self-hosted/worker-a-9091/qwen/qwen3-32b"))
        .isEqualTo(new EndpointName("self-hosted", "qwen/qwen3-32b"));
  }
}
