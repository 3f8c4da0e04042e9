package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static dev.silkroute.router.routing.Fixtures.model;
import static dev.silkroute.router.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.provider.UpstreamException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EndpointGuardTest {

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
  private final GuardSettings settings = new GuardSettings(50, 10, 4, Duration.ofSeconds(30), 2, 2,
      Duration.ofSeconds(1));
  private final EndpointBoard board = new EndpointBoard(settings, stats, clock);
  private final Endpoint endpoint = endpoint("p", "1");
  private final EndpointGuard guard = board.guard(endpoint);

  @Test
  void theGuardsStatisticsFollowEveryRefresh() {
    assertThat(board.stats(guard)).isEqualTo(EndpointStats.NONE);
    for (int i = 0; i < 10; i++) {
      stats.record(endpoint, i < 6 ? Outcome.OK : Outcome.PROVIDER_ERROR, 100, 50, 10, 100);
    }
    stats.refresh();

    assertThat(board.stats(guard)).isEqualTo(board.stats(endpoint));
    assertThat(board.stats(guard).uptime()).isEqualTo(0.6);
    assertThat(board.health(endpoint)).isEqualTo(Health.DOWN);

    for (int i = 0; i < 30; i++) {
      stats.record(endpoint, Outcome.OK, 100, 50, 10, 100);
    }
    stats.refresh();

    assertThat(board.stats(guard).uptime()).isEqualTo(0.9);
    assertThat(board.health(endpoint)).isEqualTo(Health.DEGRADED);
  }

  @Test
  void shouldOpenTheCircuitAfterFailuresAndCloseItAfterSuccessfulProbes() {
    for (int i = 0; i < 4; i++) {
      assertThat(guard.acquire(false)).isEmpty();
      guard.release(Outcome.PROVIDER_ERROR, 10, 0);
    }
    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(guard.acquire(false)).contains(EndpointGuard.Refusal.CIRCUIT_OPEN);
    assertThat(board.health(endpoint)).isEqualTo(Health.DOWN);

    clock.advance(Duration.ofSeconds(30).plusMillis(1)); // Resilience4j waits strictly longer than openFor
    assertThat(board.health(endpoint)).isEqualTo(Health.DEGRADED); // half-open: probing
    for (int i = 0; i < 2; i++) {
      assertThat(guard.acquire(false)).isEmpty();
      guard.release(Outcome.OK, 10, 0);
    }
    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(board.health(endpoint)).isEqualTo(Health.HEALTHY);
  }

  @Test
  void shouldOpenTheCircuitWhenCallsAreSlowerThanTheirFirstByteTimeout() {
    for (int i = 0; i < 4; i++) {
      assertThat(guard.acquire(false)).isEmpty();
      guard.release(Outcome.OK, 1_500, 1_000, 0); // served, but 1.5 s to the first byte against a 1 s timeout
    }

    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(guard.acquire(false)).contains(EndpointGuard.Refusal.CIRCUIT_OPEN);
  }

  @Test
  void shouldJudgeSlownessAgainstEachCallsOwnTimeout() {
    for (int i = 0; i < 4; i++) {
      guard.acquire(false);
      guard.release(Outcome.OK, 20_000, 30_000, 0); // 20 s is slow in general, not for this call's timeout
    }
    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.CLOSED);

    for (int i = 0; i < 4; i++) {
      guard.acquire(false);
      guard.release(Outcome.OK, 400, 0, 0); // no timeout given: never slow
    }
    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void shouldReopenWhenAProbeFails() {
    for (int i = 0; i < 4; i++) {
      guard.acquire(false);
      guard.release(Outcome.PROVIDER_ERROR, 10, 0);
    }
    clock.advance(Duration.ofSeconds(30).plusMillis(1)); // Resilience4j waits strictly longer than openFor
    for (int i = 0; i < 2; i++) {
      guard.acquire(false);
      guard.release(Outcome.PROVIDER_ERROR, 10, 0);
    }

    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void shouldNotCountCallerErrorsOrRateLimitsAgainstTheCircuit() {
    for (int i = 0; i < 10; i++) {
      guard.acquire(false);
      guard.release(i % 2 == 0 ? Outcome.CALLER_ERROR : Outcome.CANCELLED, 10, 0);
    }

    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void shouldPassOverAFullBulkhead() {
    assertThat(guard.acquire(false)).isEmpty();
    assertThat(guard.acquire(false)).isEmpty();
    assertThat(guard.acquire(false)).contains(EndpointGuard.Refusal.BULKHEAD_FULL);

    guard.release(Outcome.OK, 10, 0);
    assertThat(guard.acquire(false)).isEmpty();
  }

  @Test
  void shouldHonourRetryAfterFromA429() {
    RouteDecision decision = decision(endpoint);
    decision.begin(endpoint).orElseThrow()
        .failed(new UpstreamException("p", 429, "slow down", null, null), Duration.ofSeconds(7));

    clock.advance(Duration.ofSeconds(6));
    assertThat(decision(endpoint).begin(endpoint)).isEmpty();
    clock.advance(Duration.ofSeconds(1));
    assertThat(decision(endpoint).begin(endpoint)).isPresent();
  }

  @Test
  void shouldBackOffByDefaultAfterA429WithoutRetryAfter() {
    decision(endpoint).begin(endpoint).orElseThrow()
        .failed(new UpstreamException("p", 429, "slow down", null, null));

    assertThat(guard.acquire(false)).contains(EndpointGuard.Refusal.RETRY_AFTER);
    clock.advance(Duration.ofSeconds(1));
    assertThat(guard.acquire(false)).isEmpty();
  }

  @Test
  void shouldTryAWorkerAtCapacityAgainAtOnceWithoutCountingItAsAFailure() {
    for (int i = 0; i < 6; i++) {
      decision(endpoint).begin(endpoint).orElseThrow()
          .failed(UpstreamException.atCapacity("p", "worker w is full"));
    }

    // No back-off (a slot may free up any moment), no verdict on the circuit, nothing in the uptime.
    assertThat(guard.acquire(false)).isEmpty();
    assertThat(guard.circuit()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(stats.stats(endpoint.id()).requests5m()).isZero();
  }

  @Test
  void shouldKeepToTheProvidersRateLimit() {
    Endpoint limited = endpoint("limited", new Pricing(1, 1),
        new Endpoint.Traits("fp8", 0, 0, 3, DataPolicy.NONE, Set.of(), -1));
    EndpointGuard limitedGuard = new EndpointBoard(GuardSettings.ofDefaults(), stats, clock).guard(limited);
    for (int i = 0; i < 3; i++) {
      assertThat(limitedGuard.acquire(false)).isEmpty();
      limitedGuard.release(Outcome.OK, 1, 0);
    }

    assertThat(limitedGuard.acquire(false)).contains(EndpointGuard.Refusal.RATE_LIMIT);
    clock.advance(Duration.ofMinutes(1));
    assertThat(limitedGuard.acquire(false)).isEmpty();
  }

  @Test
  void shouldTryAnOpenCircuitOnlyAsTheLastResortWhenNothingElseWasTried() {
    Endpoint other = endpoint("other", "2");
    EndpointGuard otherGuard = board.guard(other);
    for (int i = 0; i < 4; i++) {
      guard.acquire(false);
      guard.release(Outcome.PROVIDER_ERROR, 10, 0);
      otherGuard.acquire(false);
      otherGuard.release(Outcome.PROVIDER_ERROR, 10, 0);
    }
    RouteDecision decision = decision(endpoint, other);

    List<Optional<Attempt>> attempts = new ArrayList<>();
    decision.endpoints().forEach(e -> attempts.add(decision.begin(e)));

    assertThat(attempts.get(0)).isEmpty();
    assertThat(attempts.get(1)).isPresent();
    assertThat(decision.metadata().get("attempts").get(0).get("detail").asText()).isEqualTo("circuit_open");
  }

  @Test
  void attemptsFeedStatisticsWithTheirTimings() {
    Attempt attempt = decision(endpoint).begin(endpoint).orElseThrow();
    clock.advance(Duration.ofMillis(300));
    attempt.firstToken();
    clock.advance(Duration.ofMillis(1000));
    attempt.succeeded(100);
    stats.refresh();

    EndpointStats s = stats.stats(endpoint.id());
    assertThat(s.requests5m()).isEqualTo(1);
    assertThat(s.ttftP50Ms()).isBetween(250L, 360L);
    assertThat(s.throughputP50()).isBetween(85L, 120L);
  }

  private RouteDecision decision(Endpoint... endpoints) {
    Model model = model(List.of(endpoints));
    MarketOrder order = new MarketOrder(board, new StickySessions(clock, Duration.ofMinutes(10)),
        () -> new dev.silkroute.router.catalog.Catalog(List.of(model)), () -> 0.0, clock::nanos);
    return order.decide(model, model.endpoints(),
        request("{\"model\":\"a/m\",\"messages\":[],\"provider\":{\"sort\":\"price\"}}"));
  }
}
