package dev.silkroute.router.limits;

import dev.silkroute.router.api.ApiError;
import dev.silkroute.router.api.ApiException;
import dev.silkroute.router.auth.Caller;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;

/**
 * The gate between an authenticated request and routing: the key may call the model, its rate
 * limits have room, and its customer's credit covers the request's worst case. Each refusal is
 * an {@link ApiException} in OpenAI's shape (403, 429 with the window, 402 naming the reason).
 */
public final class Admission {

  /** An admitted request: settle it exactly once with what it actually cost and used. */
  public interface Ticket {

    /** Headers for the client: X-RateLimit-Limit, -Remaining, -Reset (empty when no limit applies). */
    Map<String, String> rateLimitHeaders();

    void settle(long actualMicros, long actualTokens);
  }

  private final RateLimits rateLimits;
  private final Credit credit;
  private final Clock clock;

  public Admission(RateLimits rateLimits, Credit credit, Clock clock) {
    this.rateLimits = rateLimits;
    this.credit = credit;
    this.clock = clock;
  }

  public Ticket admit(Caller caller, String model, long estimatedPromptTokens, long worstCaseMicros) {
    KeyLimits limits = caller.limits();
    if (!limits.allowsModel(model)) {
      throw new ApiException(new ApiError(403, "permission_error",
          "This API key may not use the model '" + model + "'", "model", "model_not_allowed", Map.of()));
    }
    Instant now = clock.instant();
    RateLimits.Window window = rateLimits.admit(caller.keyId(), limits, estimatedPromptTokens, now);
    Map<String, String> headers = window.limit() < 0 ? Map.of() : Map.of(
        "X-RateLimit-Limit", String.valueOf(window.limit()),
        "X-RateLimit-Remaining", String.valueOf(window.remaining()),
        "X-RateLimit-Reset", String.valueOf(window.resetSeconds()));
    if (!window.admitted()) {
      throw new ApiException(new ApiError(429, "rate_limit_error",
          "Rate limit reached for this key: " + window.limit() + " " + window.limitedBy().replace('_', ' ')
              + "; try again in " + window.resetSeconds() + "s",
          null, "rate_limit_exceeded", Map.of("headers", headers, "retry_after_seconds", window.resetSeconds())));
    }
    Credit.Verdict verdict = credit.reserve(caller.customerId(), caller.keyId(), limits.creditLimitMicros(),
        worstCaseMicros);
    if (!verdict.reserved()) {
      rateLimits.correctTokens(caller.keyId(), limits, -estimatedPromptTokens, now);
      throw new ApiException(new ApiError(402, "insufficient_quota", refusalMessage(verdict, worstCaseMicros),
          null, verdict.refusal().name().toLowerCase(java.util.Locale.ROOT), Map.of()));
    }
    return new Ticket() {
      private boolean settled;

      @Override
      public Map<String, String> rateLimitHeaders() {
        return headers;
      }

      @Override
      public synchronized void settle(long actualMicros, long actualTokens) {
        if (settled) {
          return;
        }
        settled = true;
        credit.settle(caller.customerId(), caller.keyId(), worstCaseMicros, actualMicros);
        rateLimits.correctTokens(caller.keyId(), limits, actualTokens - estimatedPromptTokens, now);
      }
    };
  }

  private static String refusalMessage(Credit.Verdict verdict, long worstCaseMicros) {
    String need = usd(worstCaseMicros);
    return switch (verdict.refusal()) {
      case NO_BALANCE -> "This account has no credit. Add credits to continue";
      case INSUFFICIENT_CREDIT -> "Insufficient credits: this request can cost up to $" + need + " but $"
          + usd(verdict.availableMicros()) + " remains. Add credits or lower max_tokens";
      case KEY_LIMIT -> "This key's credit limit is reached: this request can cost up to $" + need + " but $"
          + usd(Math.max(0, verdict.availableMicros())) + " of the key's limit remains";
    };
  }

  private static String usd(long micros) {
    return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
  }
}
