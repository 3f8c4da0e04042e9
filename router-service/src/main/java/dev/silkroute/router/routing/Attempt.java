package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.UpstreamException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One try of one endpoint, holding its place in the endpoint's bulkhead until it ends. Exactly one
 * of {@link #succeeded}, {@link #failed}, {@link #cancelled} ends it (later calls are ignored); each
 * frees the place, tells the circuit breaker, records the statistics and the routing metadata.
 */
public final class Attempt {

  private final RouteDecision decision;
  private final Endpoint endpoint;
  private final EndpointGuard guard;
  private final LongSupplier nanos;
  private final long startNanos;
  private long firstTokenNanos = -1;
  private long firstByteTimeoutMs;
  private Lateness lateness;
  private boolean ended;

  Attempt(RouteDecision decision, Endpoint endpoint, EndpointGuard guard, LongSupplier nanos) {
    this.decision = decision;
    this.endpoint = endpoint;
    this.guard = guard;
    this.nanos = nanos;
    this.startNanos = nanos.getAsLong();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * The first-byte timeout this attempt was given: a first byte later than that counts as a slow call
   * against the endpoint's circuit.
   */
  public void firstByteTimeout(Duration timeout) {
    firstByteTimeoutMs = timeout.toMillis();
  }

  /** The stream went silent after it started: the endpoint failed, what it generated is kept. */
  public void stalled(long completionTokens) {
    lateness = Lateness.STALL;
    end(Outcome.PROVIDER_ERROR, 0, completionTokens, null);
  }

  /** The first token (or the whole non-streamed answer) arrived. Later calls are ignored. */
  public void firstToken() {
    if (firstTokenNanos < 0) {
      firstTokenNanos = nanos.getAsLong();
    }
  }

  /** The endpoint served the request (even if the client's stream was then cut on our side). */
  public void succeeded(long completionTokens) {
    end(Outcome.OK, 200, completionTokens, null);
  }

  /** The upstream failed; a 429 holds the endpoint back for the default Retry-After. */
  public void failed(UpstreamException failure) {
    failed(failure, null);
  }

  /**
   * The upstream failed, and said (Retry-After) when to come back. No answer before a timeout (ours,
   * or the HTTP client's own at the ceiling) is a first-byte timeout.
   */
  public void failed(UpstreamException failure, Duration retryAfter) {
    if (failure.status() == 0 && failure.getCause() instanceof HttpTimeoutException) {
      lateness = Lateness.FIRST_BYTE_TIMEOUT;
    }
    end(Outcome.of(failure), failure.status(), 0, retryAfter);
  }

  /** The client went away: not the endpoint's fault. */
  public void cancelled() {
    end(Outcome.CANCELLED, 0, 0, null);
  }

  /**
   * The general form.
   *
   * @param status     the upstream's HTTP status, 0 when none
   * @param retryAfter how long the upstream asked us to stay away, or null
   */
  public void end(Outcome outcome, int status, long completionTokens, Duration retryAfter) {
    if (ended) {
      return;
    }
    ended = true;
    long end = nanos.getAsLong();
    long latencyMs = (end - startNanos) / 1_000_000;
    long ttftMs = firstTokenNanos < 0 ? -1 : (firstTokenNanos - startNanos) / 1_000_000;
    long generationMs = firstTokenNanos < 0 ? 0 : (end - firstTokenNanos) / 1_000_000;
    long backOff = retryAfter != null ? retryAfter.toMillis() : decision.defaultRetryAfterMillis();
    if (lateness == null && firstByteTimeoutMs > 0 && ttftMs > firstByteTimeoutMs) {
      lateness = Lateness.SLOW;
    }
    guard.release(outcome, ttftMs, firstByteTimeoutMs, backOff);
    decision.recorder().record(endpoint, outcome, latencyMs, ttftMs, completionTokens, generationMs);
    if (lateness != null) {
      guard.late(lateness);
      decision.recorder().late(endpoint, lateness);
    }
    String name = lateness == Lateness.FIRST_BYTE_TIMEOUT || lateness == Lateness.STALL ? lateness.label()
        : outcome.name().toLowerCase(Locale.ROOT);
    decision.ended(this, outcome, name, status == 0 ? null : Integer.toString(status), latencyMs, ttftMs);
  }
}
