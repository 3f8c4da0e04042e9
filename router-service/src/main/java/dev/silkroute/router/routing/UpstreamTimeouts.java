package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import java.time.Duration;
import java.util.OptionalLong;

/**
 * How long an attempt may wait for its first byte, and a stream for its next chunk, before the
 * endpoint counts as hanging. A fixed first-byte timeout either waits a minute on a dead provider or
 * cuts off a slow but healthy one; this one follows each endpoint's own record instead.
 *
 * <p>The first-byte timeout of an attempt is {@code multiplier} times the endpoint's measured p99
 * (time to first token when streamed, time to the whole answer when not), or {@code initial} before
 * anything was measured; plus the prompt's prefill at {@code prefillTokensPerSecond}; times
 * {@code reasoningFactor} for a model that thinks before it answers; kept between {@code floor} and
 * {@code ceiling}. The last candidate of a request gets the ceiling: with nothing left to fall back
 * to, waiting is the only way to an answer. A catalog endpoint may fix its own
 * ({@code first_byte_timeout_ms}) instead of all that. The request's
 * {@code provider.preferred_max_latency} tightens either (never below the floor).
 *
 * @param multiplier             times the measured p99
 * @param floor                  the shortest first-byte timeout
 * @param ceiling                the longest, and the last candidate's
 * @param initial                before the endpoint has a measured p99
 * @param prefillTokensPerSecond prompt tokens a provider reads per second at worst, for long prompts
 * @param reasoningFactor        for models that reason before their first visible token
 * @param stall                  the longest silence between two chunks of a stream once it started
 */
public record UpstreamTimeouts(double multiplier, Duration floor, Duration ceiling, Duration initial,
                               long prefillTokensPerSecond, double reasoningFactor, Duration stall) {

  public UpstreamTimeouts {
    if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("silkroute.routing.timeout-multiplier must be at least 1, got " + multiplier);
    }
    positive(floor, "first-byte-floor");
    positive(ceiling, "first-byte-ceiling");
    positive(initial, "first-byte-initial");
    positive(stall, "stall-timeout");
    if (floor.compareTo(ceiling) > 0) {
      throw new IllegalArgumentException("silkroute.routing.first-byte-floor (" + floor
          + ") must not exceed silkroute.routing.first-byte-ceiling (" + ceiling + ")");
    }
    if (prefillTokensPerSecond <= 0) {
      throw new IllegalArgumentException("silkroute.routing.prefill-tokens-per-second must be positive, got "
          + prefillTokensPerSecond);
    }
    if (!(reasoningFactor >= 1) || Double.isInfinite(reasoningFactor)) {
      throw new IllegalArgumentException("silkroute.routing.reasoning-timeout-factor must be at least 1, got "
          + reasoningFactor);
    }
  }

  /** 3 x p99 within 1-60 s, 10 s unmeasured, 5,000 prompt tokens/s, x2 for reasoning, 30 s stall. */
  public static UpstreamTimeouts ofDefaults() {
    return new UpstreamTimeouts(3, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10), 5_000, 2,
        Duration.ofSeconds(30));
  }

  /** What one attempt is about to ask of its endpoint. */
  public record Ask(boolean streamed, long promptTokens, boolean reasoning, OptionalLong preferredMaxLatencyMs,
                    boolean lastCandidate) {
  }

  /** The first-byte timeout of one attempt at {@code endpoint}, whose record is {@code stats}. */
  public Duration firstByte(Endpoint endpoint, EndpointStats stats, Ask ask) {
    long millis;
    long fixed = endpoint.traits().firstByteTimeoutMs();
    if (fixed > 0) {
      millis = fixed;
    } else if (ask.lastCandidate()) {
      return ceiling;
    } else {
      long p99 = ask.streamed() ? stats.ttftP99Ms() : stats.latencyP99Ms();
      double base = p99 >= 0 ? multiplier * Math.max(1, p99) : initial.toMillis();
      base += ask.promptTokens() * 1000.0 / prefillTokensPerSecond;
      if (ask.reasoning()) {
        base *= reasoningFactor;
      }
      millis = Math.max(floor.toMillis(), Math.min(ceiling.toMillis(), Math.round(base)));
    }
    if (ask.preferredMaxLatencyMs().isPresent()) {
      millis = Math.min(millis, Math.max(floor.toMillis(), ask.preferredMaxLatencyMs().getAsLong()));
    }
    return Duration.ofMillis(millis);
  }

  private static void positive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("silkroute.routing." + name + " must be a positive duration, got " + value);
    }
  }
}
