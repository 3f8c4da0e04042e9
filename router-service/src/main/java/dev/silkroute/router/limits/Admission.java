package dev.silkroute.router.limits;

import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gate between an authenticated request and routing: the key may call the model, its rate
 * limits have room, and its customer's credit covers the request's worst case. Each refusal is
 * an {@link RouterException} in OpenAI's shape (403, 429 with the window, 402 naming the reason).
 */
public final class Admission {

  /** An admitted request: settle it exactly once with what it actually cost and used. */
  public interface Ticket {

    /** Headers for the client: X-RateLimit-Limit, -Remaining, -Reset (empty when no limit applies). */
    Map<String, String> rateLimitHeaders();

    /**
     * Turns the reservation into the actual cost. Completes once Redis applied it (on Lettuce's I/O
     * thread); only the first call counts, later ones complete at once. When that fails, it is
     * retried in the background (three times, over 36 s): settling is idempotent, keyed by the
     * generation id, so a retry after a lost reply cannot give the credit back twice.
     */
    CompletableFuture<Void> settleAsync(long actualMicros, long actualTokens);
  }

  // One round trip admits a request: the key's rate limits (only when it has any), then the credit
  // reservation, recorded as the request's hold (CreditHolds). A request refused for credit still
  // counts against requests per minute, but its token estimate is not kept.
  // KEYS: requests this minute, tokens this minute, balance, key spend, credit holds.
  // ARGV: rpm, tpm (-1 = none), token estimate, counters' TTL, worst-case micros, key credit limit (-1 = none),
  // generation id, the hold's record (CreditHolds.record).
  // Returns {verdict, requests, tokens, available micros}: verdict 0 = admitted, 1 = over rpm,
  // 2 = over tpm, 3 = no balance, 4 = insufficient credit, 5 = key credit limit.
  private static final String ADMIT = """
      local rpm = tonumber(ARGV[1])
      local tpm = tonumber(ARGV[2])
      local estimate = tonumber(ARGV[3])
      local limited = rpm >= 0 or tpm >= 0
      local requests, tokens = 0, 0
      if limited then
        requests = tonumber(redis.call('GET', KEYS[1]) or '0')
        tokens = tonumber(redis.call('GET', KEYS[2]) or '0')
        if rpm >= 0 and requests + 1 > rpm then return {1, requests, tokens, 0} end
        -- A request larger than the whole budget still runs alone in an empty minute.
        if tpm >= 0 and tokens > 0 and tokens + estimate > tpm then return {2, requests, tokens, 0} end
        redis.call('INCR', KEYS[1])
        redis.call('EXPIRE', KEYS[1], ARGV[4])
        requests = requests + 1
      end
      local balance = redis.call('GET', KEYS[3])
      if not balance then return {3, requests, tokens, 0} end
      balance = tonumber(balance)
      local worst = tonumber(ARGV[5])
      if balance < worst then return {4, requests, tokens, balance} end
      local limit = tonumber(ARGV[6])
      local spent = tonumber(redis.call('GET', KEYS[4]) or '0')
      if limit >= 0 and spent + worst > limit then return {5, requests, tokens, limit - spent} end
      redis.call('INCRBY', KEYS[4], worst)
      redis.call('DECRBY', KEYS[3], worst)
      if limited then
        redis.call('INCRBY', KEYS[2], estimate)
        redis.call('EXPIRE', KEYS[2], ARGV[4])
        tokens = tokens + estimate
      end
      redis.call('HSET', KEYS[5], ARGV[7], ARGV[8])
      return {0, requests, tokens, balance - worst}
      """;

  /** Delays before each retry of a settlement that failed; then billing's settlement or the reaper's. */
  static final List<Duration> SETTLE_RETRIES = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5),
      Duration.ofSeconds(30));

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /** Where a script is sent from the calling thread: its event loop's own connection, when it has one. */
  private final Supplier<? extends RedisScriptingAsyncCommands<String, String>> redisAsync;
  private final RateLimits rateLimits;
  private final Credit credit;
  private final RedisScript admit;
  private final RedisScript settle;
  private final Clock clock;
  private final Duration holdFor;

  public Admission(StatefulRedisConnection<String, String> redis, String keyPrefix, Clock clock) {
    this(redis, redis::async, keyPrefix, clock, CreditHolds.DEFAULT_HOLD_FOR);
  }

  /**
   * @param scripts the commands to run the scripts with, asked on the calling thread each time (a
   *                loop-local connection on an event loop); never waited on
   * @param holdFor how long an admitted request's credit stays held if it is never settled (its
   *                router died): then {@link CreditHoldReaper} gives it back
   */
  public Admission(StatefulRedisConnection<String, String> redis,
                   Supplier<? extends RedisScriptingAsyncCommands<String, String>> scripts, String keyPrefix,
                   Clock clock, Duration holdFor) {
    this.redisAsync = scripts;
    this.rateLimits = new RateLimits(keyPrefix);
    this.credit = new Credit(keyPrefix);
    this.admit = new RedisScript(redis.sync(), ADMIT);
    this.settle = new RedisScript(redis.sync(), CreditHolds.SETTLE);
    this.clock = clock;
    this.holdFor = holdFor;
  }

  /**
   * Admits a request without waiting: a ticket, or a future that fails with the refusal's
   * {@link RouterException} (itself, not wrapped). A model the key may not use fails it before Redis
   * is asked. Completes on Lettuce's I/O thread.
   *
   * @param generationId the request's id, which names its credit hold (and its usage event, by which
   *                     billing settles the hold when this router cannot)
   */
  public CompletableFuture<Ticket> admitAsync(String generationId, Caller caller, String model,
                                              long estimatedPromptTokens, long worstCaseMicros) {
    Check check;
    try {
      check = check(generationId, caller, model, estimatedPromptTokens, worstCaseMicros);
    } catch (RouterException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    return admit.<List<Long>>runAsync(redisAsync.get(), ScriptOutputType.MULTI, admitKeys(check), admitArgs(check))
        .thenCompose(result -> {
          try {
            return CompletableFuture.completedFuture(verdict(check, result));
          } catch (RouterException refused) {
            return CompletableFuture.failedFuture(refused); // unwrapped: the caller answers with it
          }
        });
  }

  private Check check(String generationId, Caller caller, String model, long estimatedPromptTokens,
                      long worstCaseMicros) {
    KeyLimits limits = caller.limits();
    if (!limits.allowsModel(model)) {
      throw new RouterException(new RouterError(ErrorKind.FORBIDDEN,
          "This API key may not use the model '" + model + "'", "model", "model_not_allowed"));
    }
    Instant now = clock.instant();
    return new Check(generationId, limits, now, rateLimits.requestsKey(caller.keyId(), now),
        rateLimits.tokensKey(caller.keyId(), now), credit.balanceKey(caller.customerId()),
        credit.keySpendKey(caller.keyId()), estimatedPromptTokens, worstCaseMicros);
  }

  /** One admission's keys and arguments for the script. */
  private record Check(String generationId, KeyLimits limits, Instant now, String requestsKey, String tokensKey,
                       String balanceKey, String keySpendKey, long estimatedPromptTokens, long worstCaseMicros) {
  }

  private String[] admitKeys(Check check) {
    return new String[] {check.requestsKey(), check.tokensKey(), check.balanceKey(), check.keySpendKey(),
        credit.holdsKey()};
  }

  private String[] admitArgs(Check check) {
    KeyLimits limits = check.limits();
    return new String[] {String.valueOf(limits.requestsPerMinute().orElse(-1)),
        String.valueOf(limits.tokensPerMinute().orElse(-1)), String.valueOf(check.estimatedPromptTokens()),
        RateLimits.WINDOW_TTL_SECONDS, String.valueOf(check.worstCaseMicros()),
        String.valueOf(limits.creditLimitMicros().orElse(-1)), check.generationId(),
        CreditHolds.record(check.now().plus(holdFor), check.worstCaseMicros(), check.estimatedPromptTokens(),
            check.balanceKey(), check.keySpendKey(), limits.tokensPerMinute().isPresent() ? check.tokensKey() : null)};
  }

  /** The admission script's answer: a ticket, or the refusal as an {@link RouterException}. */
  private Ticket verdict(Check check, List<Long> result) {
    long verdict = result.get(0);
    RateLimits.Window window = RateLimits.window(check.limits(), verdict, result.get(1), result.get(2), check.now());
    Map<String, String> headers = window.limit() < 0 ? Map.of() : Map.of(
        "X-RateLimit-Limit", String.valueOf(window.limit()),
        "X-RateLimit-Remaining", String.valueOf(window.remaining()),
        "X-RateLimit-Reset", String.valueOf(window.resetSeconds()));
    if (!window.admitted()) {
      throw new RouterException(new RouterError(ErrorKind.RATE_LIMITED,
          "Rate limit reached for this key: " + window.limit() + " " + window.limitedBy().replace('_', ' ')
              + "; try again in " + window.resetSeconds() + "s",
          null, "rate_limit_exceeded", Map.of("headers", headers, "retry_after_seconds", window.resetSeconds())));
    }
    if (verdict != 0) {
      Credit.Verdict refused = Credit.Verdict.refused(verdict, result.get(3));
      throw new RouterException(new RouterError(ErrorKind.INSUFFICIENT_CREDIT,
          refusalMessage(refused, check.worstCaseMicros()), null,
          refused.refusal().name().toLowerCase(java.util.Locale.ROOT), Map.of()));
    }
    return new Admitted(check, headers);
  }

  private final class Admitted implements Ticket {

    private final Check check;
    private final Map<String, String> headers;
    private final AtomicBoolean settled = new AtomicBoolean();

    Admitted(Check check, Map<String, String> headers) {
      this.check = check;
      this.headers = headers;
    }

    @Override
    public Map<String, String> rateLimitHeaders() {
      return headers;
    }

    @Override
    public CompletableFuture<Void> settleAsync(long actualMicros, long actualTokens) {
      if (!settled.compareAndSet(false, true)) {
        return CompletableFuture.completedFuture(null);
      }
      String[] args = {check.generationId(), String.valueOf(actualMicros), String.valueOf(actualTokens)};
      CompletableFuture<Void> first = settleOnce(args);
      first.whenComplete((ignored, failure) -> {
        if (failure != null) {
          retrySettling(args, 0, failure);
        }
      });
      return first;
    }

    private CompletableFuture<Void> settleOnce(String[] args) {
      try {
        return settle.<Long>runAsync(redisAsync.get(), ScriptOutputType.INTEGER,
            new String[] {credit.holdsKey()}, args).thenApply(ignored -> null);
      } catch (RuntimeException notSent) {
        return CompletableFuture.failedFuture(notSent);
      }
    }

    /** Off the event loops (the delayed executor's thread, then Lettuce's): nothing waits for it. */
    private void retrySettling(String[] args, int retry, Throwable lastFailure) {
      if (retry == SETTLE_RETRIES.size()) {
        LOG.warn("Settling {} failed {} times; billing settles it from its usage event, or its hold is"
            + " released at its due time", check.generationId(), retry + 1, lastFailure);
        return;
      }
      Duration delay = SETTLE_RETRIES.get(retry);
      Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
      CompletableFuture.runAsync(() -> { }, later)
          .thenCompose(ignored -> settleOnce(args))
          .whenComplete((ignored, failure) -> {
            if (failure != null) {
              retrySettling(args, retry + 1, failure);
            }
          });
    }
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
