package dev.silkroute.router.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Limits and credit reservations on real Redis, where concurrent requests race for them. */
class AdmissionIT {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  private String prefix;
  private RedisKeys keys;
  private Admission admission;

  @BeforeAll
  static void connect() {
    client = RedisClient.create(Infra.redis().uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterAll
  static void disconnect() {
    connection.close();
    client.shutdown();
  }

  @BeforeEach
  void freshPrefix() {
    prefix = Infra.uniqueName("admissionit") + ":";
    keys = new RedisKeys(prefix);
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:10Z"), ZoneOffset.UTC);
    admission = new Admission(connection, prefix, clock);
  }

  @Test
  void concurrentRequestsNeverReserveMoreThanTheBalance() throws Exception {
    redis.set(keys.balance("cus_a"), "1000");
    Caller caller = new Caller("cus_a", "key_a", KeyLimits.NONE);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Callable<Boolean>> requests = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      requests.add(() -> {
        try {
          admit(caller, "a/b", 10, 100);
          return true;
        } catch (RouterException refused) {
          assertThat(refused.error().kind()).isEqualTo(ErrorKind.INSUFFICIENT_CREDIT);
          return false;
        }
      });
    }
    long admitted = 0;
    for (Future<Boolean> result : pool.invokeAll(requests)) {
      admitted += result.get() ? 1 : 0;
    }
    pool.shutdown();

    assertThat(admitted).isEqualTo(10);
    assertThat(redis.get(keys.balance("cus_a"))).isEqualTo("0");
  }

  @Test
  void settlingChargesTheActualCostSoTheBalanceMatchesTheLedger() {
    redis.set(keys.balance("cus_a"), "1000");
    Caller caller = new Caller("cus_a", "key_a", KeyLimits.NONE);

    settle(admit(caller, "a/b", 10, 300), 42, 50);
    settle(admit(caller, "a/b", 10, 300), 350, 50); // the estimate fell short: the excess is taken too

    assertThat(redis.get(keys.balance("cus_a"))).isEqualTo(String.valueOf(1000 - 42 - 350));
    assertThat(redis.get(keys.keySpend("key_a"))).isEqualTo("392");
  }

  @Test
  void refusesWith402NamingTheReason() {
    Caller caller = new Caller("cus_none", "key_n", KeyLimits.NONE);
    assertThatThrownBy(() -> admit(caller, "a/b", 1, 1))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.INSUFFICIENT_CREDIT);
          assertThat(e.error().code()).isEqualTo("no_balance");
        });

    redis.set(keys.balance("cus_b"), "100");
    Caller small = new Caller("cus_b", "key_b", KeyLimits.NONE);
    assertThatThrownBy(() -> admit(small, "a/b", 1, 101))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().code()).isEqualTo("insufficient_credit");
          assertThat(e.error().message()).contains("$0.000101").contains("$0.0001 remains");
        });

    redis.set(keys.balance("cus_c"), "1000000");
    Caller limited = new Caller("cus_c", "key_c",
        new KeyLimits(OptionalLong.of(150), OptionalLong.empty(), OptionalLong.empty(), Set.of()));
    settle(admit(limited, "a/b", 1, 100), 100, 1);
    assertThatThrownBy(() -> admit(limited, "a/b", 1, 100))
        .isInstanceOfSatisfying(RouterException.class, e -> assertThat(e.error().code()).isEqualTo("key_limit"));
  }

  @Test
  void enforcesRequestsPerMinuteWithRateLimitHeaders() {
    redis.set(keys.balance("cus_r"), "1000000");
    Caller caller = new Caller("cus_r", "key_r",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(2), OptionalLong.empty(), Set.of()));

    Admission.Ticket first = admit(caller, "a/b", 1, 1);
    assertThat(first.rateLimitHeaders()).containsEntry("X-RateLimit-Limit", "2")
        .containsEntry("X-RateLimit-Remaining", "1").containsEntry("X-RateLimit-Reset", "50");
    admit(caller, "a/b", 1, 1);
    assertThatThrownBy(() -> admit(caller, "a/b", 1, 1))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
          assertThat(e.error().metadata()).containsEntry("retry_after_seconds", 50L);
        });
  }

  @Test
  void enforcesTokensPerMinuteCorrectedByActualUse() {
    redis.set(keys.balance("cus_t"), "1000000");
    Caller caller = new Caller("cus_t", "key_t",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(100), Set.of()));

    settle(admit(caller, "a/b", 10, 1), 1, 95); // really used 95 of the minute's 100
    assertThatThrownBy(() -> admit(caller, "a/b", 10, 1))
        .isInstanceOfSatisfying(RouterException.class,
            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED));
  }

  @Test
  void aRequestRefusedForCreditCountsAgainstRequestsButGivesItsTokensBack() {
    Caller caller = new Caller("cus_poor", "key_poor",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(5), OptionalLong.of(100), Set.of()));
    Instant now = Instant.parse("2026-11-23T12:00:10Z");

    assertThatThrownBy(() -> admit(caller, "a/b", 30, 1))
        .isInstanceOfSatisfying(RouterException.class,
            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.INSUFFICIENT_CREDIT));

    assertThat(redis.get(keys.requestsInMinute("key_poor", now))).isEqualTo("1");
    assertThat(redis.get(keys.tokensInMinute("key_poor", now))).isIn(null, "0");
    assertThat(redis.get(keys.keySpend("key_poor"))).isNull();
  }

  @Test
  void aRequestOverItsRateLimitReservesNoCredit() {
    redis.set(keys.balance("cus_busy"), "1000");
    Caller caller = new Caller("cus_busy", "key_busy",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(1), OptionalLong.empty(), Set.of()));
    admit(caller, "a/b", 1, 100);

    assertThatThrownBy(() -> admit(caller, "a/b", 1, 100))
        .isInstanceOfSatisfying(RouterException.class,
            e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED));

    assertThat(redis.get(keys.balance("cus_busy"))).isEqualTo("900");
    assertThat(redis.get(keys.keySpend("key_busy"))).isEqualTo("100");
  }

  /** What one admission came to: the ticket's headers, or the refusal. */
  private record Verdict(Map<String, String> headers, dev.silkroute.router.core.RouterError refusal) {
  }

  /**
   * One key, one customer, through every verdict in turn: admitted with headers, over its requests
   * per minute (429), a model it may not use (403), a customer without balance and one short of
   * credit (402). Customers and keys are named after {@code tag}, so runs do not share counters.
   */
  private List<Verdict> everyVerdict(String tag, java.util.function.Function<Object[], Admission.Ticket> admit) {
    redis.set(keys.balance("cus_" + tag), "1000");
    redis.set(keys.balance("cus_small_" + tag), "100");
    Caller limited = new Caller("cus_" + tag, "key_" + tag,
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(1), OptionalLong.empty(), Set.of("a/b")));
    Object[][] requests = {
        {limited, "a/b", 300L},
        {limited, "a/b", 300L},
        {limited, "a/other", 1L},
        {new Caller("cus_none_" + tag, "key_none_" + tag, KeyLimits.NONE), "a/b", 1L},
        {new Caller("cus_small_" + tag, "key_small_" + tag, KeyLimits.NONE), "a/b", 101L}};
    List<Verdict> verdicts = new ArrayList<>();
    for (Object[] request : requests) {
      try {
        verdicts.add(new Verdict(admit.apply(request).rateLimitHeaders(), null));
      } catch (RouterException refused) {
        verdicts.add(new Verdict(null, refused.error()));
      }
    }
    return verdicts;
  }

  @Test
  void admitsThenRefusesInEachWayInTurn() {
    List<Verdict> verdicts = everyVerdict("all", r -> admit((Caller) r[0], (String) r[1], 10, (Long) r[2]));

    assertThat(verdicts).extracting(v -> v.refusal() == null ? null : v.refusal().kind())
        .containsExactly(null, ErrorKind.RATE_LIMITED, ErrorKind.FORBIDDEN, ErrorKind.INSUFFICIENT_CREDIT,
            ErrorKind.INSUFFICIENT_CREDIT);
    assertThat(verdicts.get(0).headers()).containsEntry("X-RateLimit-Limit", "1")
        .containsEntry("X-RateLimit-Remaining", "0");
    assertThat(verdicts).extracting(v -> v.refusal() == null ? null : v.refusal().code())
        .containsExactly(null, "rate_limit_exceeded", "model_not_allowed", "no_balance", "insufficient_credit");
    assertThat(redis.get(keys.balance("cus_all"))).isEqualTo("700");
  }

  @Test
  void refusesAModelTheKeyMayNotUseBeforeAskingRedis() {
    Caller caller = new Caller("cus_m", "key_m",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(5), OptionalLong.empty(), Set.of("a/allowed")));

    CompletableFuture<Admission.Ticket> refused = admission.admitAsync(nextId(), caller, "a/other", 1, 1);

    assertThat(refused).isCompletedExceptionally();
    assertThat(redis.keys(prefix + "*")).isEmpty();
  }

  @Test
  void settlesOnceHoweverManyThreadsSettleTogether() throws Exception {
    redis.set(keys.balance("cus_once"), "1000");
    Caller caller = new Caller("cus_once", "key_once", KeyLimits.NONE);
    Admission.Ticket ticket = admit(caller, "a/b", 10, 300);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> settlements = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      settlements.add(pool.submit(() -> {
        go.await();
        return ticket.settleAsync(42, 50).get(10, TimeUnit.SECONDS);
      }));
    }
    go.countDown();
    for (Future<?> settlement : settlements) {
      settlement.get(10, TimeUnit.SECONDS);
    }
    pool.shutdown();

    // The first settlement finished with its caller, and every later one was a no-op.
    assertThat(redis.get(keys.balance("cus_once"))).isEqualTo("958");
    assertThat(redis.get(keys.keySpend("key_once"))).isEqualTo("42");
    assertThat(ticket.settleAsync(0, 0)).isCompleted();
    assertThat(redis.get(keys.balance("cus_once"))).isEqualTo("958");
  }

  @Test
  void settlingWithoutWaitingCompletesOnceRedisHasTheCost() throws Exception {
    redis.set(keys.balance("cus_s"), "1000");
    Caller caller = new Caller("cus_s", "key_s", KeyLimits.NONE);

    Admission.Ticket ticket = admission.admitAsync(nextId(), caller, "a/b", 10, 300).get(10, TimeUnit.SECONDS);
    ticket.settleAsync(42, 50).get(10, TimeUnit.SECONDS);

    assertThat(redis.get(keys.balance("cus_s"))).isEqualTo("958");
    assertThat(redis.get(keys.keySpend("key_s"))).isEqualTo("42");
  }

  @Test
  void aScriptRedisDoesNotKnowIsSentInFullOnceThenRunByItsDigestWithoutWaiting() throws Exception {
    // As in the blocking case: a unique source meets NOSCRIPT as after a restart, without the
    // SCRIPT FLUSH that would pull scripts from under everyone else using this shared Redis.
    String source = "return '" + prefix + "async'";
    RedisScript script = new RedisScript(redis, source);
    assertThat(redis.scriptExists(redis.digest(source))).containsExactly(false);

    String first = script.<String>runAsync(connection.async(), io.lettuce.core.ScriptOutputType.VALUE, new String[0])
        .get(10, TimeUnit.SECONDS);
    String second = script.<String>runAsync(connection.async(), io.lettuce.core.ScriptOutputType.VALUE, new String[0])
        .get(10, TimeUnit.SECONDS);

    assertThat(first).isEqualTo(prefix + "async");
    assertThat(second).isEqualTo(prefix + "async");
    assertThat(redis.scriptExists(redis.digest(source))).containsExactly(true);
  }

  @Test
  void aScriptErrorOtherThanNoScriptFailsTheFutureWithIt() {
    RedisScript script = new RedisScript(redis, "return redis.call('INCR', KEYS[1])");
    redis.set(prefix + "text", "not a number");

    CompletableFuture<Long> run = script.runAsync(connection.async(), io.lettuce.core.ScriptOutputType.INTEGER,
        new String[] {prefix + "text"});

    assertThat(run).failsWithin(java.time.Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(io.lettuce.core.RedisException.class)
        .withMessageContaining("not an integer");
  }

  @Test
  void refusesModelsTheKeyMayNotUse() {
    Caller caller = new Caller("cus_m", "key_m",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of("a/allowed")));

    assertThatThrownBy(() -> admit(caller, "a/other", 1, 1))
        .isInstanceOfSatisfying(RouterException.class, e -> {
          assertThat(e.error().kind()).isEqualTo(ErrorKind.FORBIDDEN);
          assertThat(e.error().param()).isEqualTo("model");
        });
  }

  @Test
  void settlingIsKeyedByTheGenerationSoASecondSettlementOfItChangesNothing() throws Exception {
    redis.set(keys.balance("cus_id"), "1000");
    Admission.Ticket ticket = admission.admitAsync("gen-twice", new Caller("cus_id", "key_id", KeyLimits.NONE), "a/b",
        10, 300).get(10, TimeUnit.SECONDS);
    assertThat(redis.hexists(keys.creditHolds(), "gen-twice")).isTrue();

    ticket.settleAsync(42, 50).get(10, TimeUnit.SECONDS);
    // What a retry after a lost reply, or billing's settlement from the usage event, sends again.
    assertThat(settleAsBilling("gen-twice", 42, 50)).isEqualTo(0L);

    assertThat(redis.get(keys.balance("cus_id"))).isEqualTo("958");
    assertThat(redis.get(keys.keySpend("key_id"))).isEqualTo("42");
    assertThat(redis.hlen(keys.creditHolds())).isZero();
  }

  @Test
  void billingSettlesAHoldItsRouterNeverDidWithTheActualCostAndTokens() throws Exception {
    redis.set(keys.balance("cus_b"), "1000");
    Caller caller = new Caller("cus_b", "key_b",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(10_000), Set.of()));
    admission.admitAsync("gen-crashed", caller, "a/b", 10, 300).get(10, TimeUnit.SECONDS);
    String tokens = keys.tokensInMinute("key_b", Instant.parse("2026-11-23T12:00:10Z"));
    assertThat(redis.get(tokens)).isEqualTo("10");

    // The router died after publishing the usage event; billing settles from it.
    assertThat(settleAsBilling("gen-crashed", 42, 50)).isEqualTo(1L);

    assertThat(redis.get(keys.balance("cus_b"))).isEqualTo("958");
    assertThat(redis.get(keys.keySpend("key_b"))).isEqualTo("42");
    assertThat(redis.get(tokens)).isEqualTo("50");
  }

  @Test
  void aHoldNobodySettlesIsGivenBackAtItsDueTimeAndALateSettlementThenChargesTheActualCost() throws Exception {
    redis.set(keys.balance("cus_r"), "1000");
    Admission.Ticket ticket = admission.admitAsync("gen-late", new Caller("cus_r", "key_r", KeyLimits.NONE), "a/b",
        10, 300).get(10, TimeUnit.SECONDS);
    Instant admitted = Instant.parse("2026-11-23T12:00:10Z");

    assertThat(reaperAt(admitted.plus(CreditHolds.DEFAULT_HOLD_FOR).minusSeconds(1)).releaseDue())
        .isEqualTo(new CreditHoldReaper.Pass(0, 0, 0));
    assertThat(redis.get(keys.balance("cus_r"))).isEqualTo("700");

    assertThat(reaperAt(admitted.plus(CreditHolds.DEFAULT_HOLD_FOR)).releaseDue())
        .isEqualTo(new CreditHoldReaper.Pass(1, 0, 0));
    assertThat(redis.get(keys.balance("cus_r"))).isEqualTo("1000");
    assertThat(redis.get(keys.keySpend("key_r"))).isEqualTo("0");

    // The request was still running (or its usage event comes late): its cost is charged then.
    ticket.settleAsync(42, 50).get(10, TimeUnit.SECONDS);
    assertThat(redis.get(keys.balance("cus_r"))).isEqualTo("958");
    assertThat(redis.get(keys.keySpend("key_r"))).isEqualTo("42");
    assertThat(settleAsBilling("gen-late", 42, 50)).isEqualTo(0L);
    assertThat(redis.get(keys.balance("cus_r"))).isEqualTo("958");
    assertThat(redis.hlen(keys.creditHolds())).isZero();
  }

  @Test
  void aReleasedHoldSettledAtNoCostChargesNothing() throws Exception {
    redis.set(keys.balance("cus_zero"), "1000");
    // A request that failed before any token: its price is 0, and its hold was released meanwhile.
    Admission.Ticket ticket = admission.admitAsync("gen-zero", new Caller("cus_zero", "key_zero", KeyLimits.NONE),
        "a/b", 10, 300).get(10, TimeUnit.SECONDS);
    reaperAt(Instant.parse("2026-11-23T12:00:10Z").plus(CreditHolds.DEFAULT_HOLD_FOR)).releaseDue();

    ticket.settleAsync(0, 0).get(10, TimeUnit.SECONDS);

    assertThat(redis.get(keys.balance("cus_zero"))).isEqualTo("1000");
    assertThat(redis.get(keys.keySpend("key_zero"))).isEqualTo("0");
    assertThat(redis.hexists(keys.creditHolds(), "gen-zero")).isFalse();
  }

  @Test
  void aRecordTheScriptsCannotReadIsCountedAndLeftAsItIs() throws Exception {
    redis.hset(keys.creditHolds(), "gen-garbled", "{\"w\":300}");

    assertThat(reaperAt(Instant.parse("2026-11-23T12:00:10Z").plus(CreditHolds.TOMBSTONE_FOR)).releaseDue())
        .isEqualTo(new CreditHoldReaper.Pass(0, 0, 1));
    assertThatThrownBy(() -> settleAsBilling("gen-garbled", 42, 50)).hasMessageContaining("not a credit hold");
    assertThat(redis.hget(keys.creditHolds(), "gen-garbled")).isEqualTo("{\"w\":300}");
  }

  @Test
  void aReleasedHoldNobodySettlesIsForgottenAfterTheTombstoneTime() throws Exception {
    redis.set(keys.balance("cus_f"), "1000");
    admission.admitAsync("gen-lost", new Caller("cus_f", "key_f", KeyLimits.NONE), "a/b", 10, 300)
        .get(10, TimeUnit.SECONDS);
    Instant due = Instant.parse("2026-11-23T12:00:10Z").plus(CreditHolds.DEFAULT_HOLD_FOR);

    assertThat(reaperAt(due).releaseDue()).isEqualTo(new CreditHoldReaper.Pass(1, 0, 0));
    assertThat(reaperAt(due.plus(CreditHolds.TOMBSTONE_FOR).minusSeconds(1)).releaseDue())
        .isEqualTo(new CreditHoldReaper.Pass(0, 0, 0));
    assertThat(reaperAt(due.plus(CreditHolds.TOMBSTONE_FOR)).releaseDue())
        .isEqualTo(new CreditHoldReaper.Pass(0, 1, 0));

    assertThat(redis.get(keys.balance("cus_f"))).isEqualTo("1000");
    assertThat(redis.hlen(keys.creditHolds())).isZero();
  }

  @Test
  void theReaperReleasesMoreHoldsThanOneScanStepInOnePass() throws Exception {
    redis.set(keys.balance("cus_many"), "1000000");
    Caller caller = new Caller("cus_many", "key_many", KeyLimits.NONE);
    int holds = CreditHoldReaper.STEP * 3 + 5;
    for (int i = 0; i < holds; i++) {
      admission.admitAsync("gen-many-" + i, caller, "a/b", 1, 10).get(10, TimeUnit.SECONDS);
    }
    assertThat(redis.get(keys.balance("cus_many"))).isEqualTo(String.valueOf(1_000_000 - 10 * holds));

    Instant due = Instant.parse("2026-11-23T12:00:10Z").plus(CreditHolds.DEFAULT_HOLD_FOR);
    assertThat(reaperAt(due).releaseDue()).isEqualTo(new CreditHoldReaper.Pass(holds, 0, 0));
    assertThat(redis.get(keys.balance("cus_many"))).isEqualTo("1000000");
  }

  @Test
  void aSettlementThatFailsToLeaveIsRetriedUntilRedisHasIt() throws Exception {
    redis.set(keys.balance("cus_retry"), "1000");
    // The first settlement goes out on a connection that is already closed, as when Redis drops it.
    StatefulRedisConnection<String, String> dropped = client.connect();
    dropped.close();
    java.util.concurrent.atomic.AtomicInteger sends = new java.util.concurrent.atomic.AtomicInteger();
    Admission flaky = new Admission(connection,
        () -> sends.getAndIncrement() == 1 ? dropped.async() : connection.async(), prefix,
        Clock.fixed(Instant.parse("2026-11-23T12:00:10Z"), ZoneOffset.UTC), CreditHolds.DEFAULT_HOLD_FOR);
    Admission.Ticket ticket = flaky.admitAsync("gen-retry", new Caller("cus_retry", "key_retry", KeyLimits.NONE),
        "a/b", 10, 300).get(10, TimeUnit.SECONDS);

    assertThat(ticket.settleAsync(42, 50)).failsWithin(java.time.Duration.ofSeconds(10));
    assertThat(redis.get(keys.balance("cus_retry"))).isEqualTo("700");

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!"958".equals(redis.get(keys.balance("cus_retry"))) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(redis.get(keys.balance("cus_retry"))).isEqualTo("958");
    assertThat(redis.hexists(keys.creditHolds(), "gen-retry")).isFalse();
    assertThat(sends.get()).isEqualTo(3);
  }

  /** Runs the shared settlement script as billing does for a usage event it recorded. */
  private long settleAsBilling(String generationId, long actualMicros, long actualTokens) {
    return redis.eval(CreditHolds.SETTLE, io.lettuce.core.ScriptOutputType.INTEGER,
        new String[] {keys.creditHolds()}, generationId, String.valueOf(actualMicros),
        String.valueOf(actualTokens));
  }

  private CreditHoldReaper reaperAt(Instant now) {
    return new CreditHoldReaper(connection, prefix, Clock.fixed(now, ZoneOffset.UTC));
  }

  private int ids;

  private String nextId() {
    return "gen-" + (++ids);
  }

  /** Admits, waiting for the verdict; a refusal is thrown as the RouterException the future fails with. */
  private Admission.Ticket admit(Caller caller, String model, long estimatedPromptTokens, long worstCaseMicros) {
    try {
      return admission.admitAsync(nextId(), caller, model, estimatedPromptTokens, worstCaseMicros).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RouterException refused) {
        throw refused;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }

  private static void settle(Admission.Ticket ticket, long actualMicros, long actualTokens) {
    ticket.settleAsync(actualMicros, actualTokens).orTimeout(10, TimeUnit.SECONDS).join();
  }
}
