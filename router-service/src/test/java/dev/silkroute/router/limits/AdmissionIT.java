package dev.silkroute.router.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.router.api.ApiException;
import dev.silkroute.router.auth.Caller;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:10Z"), ZoneOffset.UTC);
    admission = new Admission(redis, prefix, clock);
  }

  @Test
  void concurrentRequestsNeverReserveMoreThanTheBalance() throws Exception {
    redis.set(prefix + "balance:cus_a", "1000");
    Caller caller = new Caller("cus_a", "key_a", KeyLimits.NONE);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Callable<Boolean>> requests = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      requests.add(() -> {
        try {
          admission.admit(caller, "a/b", 10, 100);
          return true;
        } catch (ApiException refused) {
          assertThat(refused.error().status()).isEqualTo(402);
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
    assertThat(redis.get(prefix + "balance:cus_a")).isEqualTo("0");
  }

  @Test
  void settlingChargesTheActualCostSoTheBalanceMatchesTheLedger() {
    redis.set(prefix + "balance:cus_a", "1000");
    Caller caller = new Caller("cus_a", "key_a", KeyLimits.NONE);

    admission.admit(caller, "a/b", 10, 300).settle(42, 50);
    admission.admit(caller, "a/b", 10, 300).settle(350, 50); // the estimate fell short: the excess is taken too

    assertThat(redis.get(prefix + "balance:cus_a")).isEqualTo(String.valueOf(1000 - 42 - 350));
    assertThat(redis.get(prefix + "keyspend:key_a")).isEqualTo("392");
  }

  @Test
  void refusesWith402NamingTheReason() {
    Caller caller = new Caller("cus_none", "key_n", KeyLimits.NONE);
    assertThatThrownBy(() -> admission.admit(caller, "a/b", 1, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().status()).isEqualTo(402);
          assertThat(e.error().code()).isEqualTo("no_balance");
        });

    redis.set(prefix + "balance:cus_b", "100");
    Caller small = new Caller("cus_b", "key_b", KeyLimits.NONE);
    assertThatThrownBy(() -> admission.admit(small, "a/b", 1, 101))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().code()).isEqualTo("insufficient_credit");
          assertThat(e.error().message()).contains("$0.000101").contains("$0.0001 remains");
        });

    redis.set(prefix + "balance:cus_c", "1000000");
    Caller limited = new Caller("cus_c", "key_c",
        new KeyLimits(OptionalLong.of(150), OptionalLong.empty(), OptionalLong.empty(), Set.of()));
    admission.admit(limited, "a/b", 1, 100).settle(100, 1);
    assertThatThrownBy(() -> admission.admit(limited, "a/b", 1, 100))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().code()).isEqualTo("key_limit"));
  }

  @Test
  void enforcesRequestsPerMinuteWithRateLimitHeaders() {
    redis.set(prefix + "balance:cus_r", "1000000");
    Caller caller = new Caller("cus_r", "key_r",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(2), OptionalLong.empty(), Set.of()));

    Admission.Ticket first = admission.admit(caller, "a/b", 1, 1);
    assertThat(first.rateLimitHeaders()).containsEntry("X-RateLimit-Limit", "2")
        .containsEntry("X-RateLimit-Remaining", "1").containsEntry("X-RateLimit-Reset", "50");
    admission.admit(caller, "a/b", 1, 1);
    assertThatThrownBy(() -> admission.admit(caller, "a/b", 1, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().status()).isEqualTo(429);
          assertThat(e.error().metadata()).containsEntry("retry_after_seconds", 50L);
        });
  }

  @Test
  void enforcesTokensPerMinuteCorrectedByActualUse() {
    redis.set(prefix + "balance:cus_t", "1000000");
    Caller caller = new Caller("cus_t", "key_t",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.of(100), Set.of()));

    admission.admit(caller, "a/b", 10, 1).settle(1, 95); // really used 95 of the minute's 100
    assertThatThrownBy(() -> admission.admit(caller, "a/b", 10, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().status()).isEqualTo(429));
  }

  @Test
  void aRequestRefusedForCreditCountsAgainstRequestsButGivesItsTokensBack() {
    Caller caller = new Caller("cus_poor", "key_poor",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(5), OptionalLong.of(100), Set.of()));
    long minute = Instant.parse("2026-11-23T12:00:10Z").getEpochSecond() / 60;

    assertThatThrownBy(() -> admission.admit(caller, "a/b", 30, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().status()).isEqualTo(402));

    assertThat(redis.get(prefix + "rl:req:key_poor:" + minute)).isEqualTo("1");
    assertThat(redis.get(prefix + "rl:tok:key_poor:" + minute)).isIn(null, "0");
    assertThat(redis.get(prefix + "keyspend:key_poor")).isNull();
  }

  @Test
  void aRequestOverItsRateLimitReservesNoCredit() {
    redis.set(prefix + "balance:cus_busy", "1000");
    Caller caller = new Caller("cus_busy", "key_busy",
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(1), OptionalLong.empty(), Set.of()));
    admission.admit(caller, "a/b", 1, 100);

    assertThatThrownBy(() -> admission.admit(caller, "a/b", 1, 100))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.error().status()).isEqualTo(429));

    assertThat(redis.get(prefix + "balance:cus_busy")).isEqualTo("900");
    assertThat(redis.get(prefix + "keyspend:key_busy")).isEqualTo("100");
  }

  @Test
  void aScriptRedisDoesNotKnowIsSentInFullOnceThenRunByItsDigest() {
    // Unique source, so that this Redis cannot have it cached: the first run meets NOSCRIPT, as after
    // a restart. (SCRIPT FLUSH would show the same, but this Redis is shared.)
    RedisScript script = new RedisScript(redis, "return '" + prefix + "'");
    assertThat(redis.scriptExists(redis.digest("return '" + prefix + "'"))).containsExactly(false);

    String first = script.run(redis, io.lettuce.core.ScriptOutputType.VALUE, new String[0]);
    String second = script.run(redis, io.lettuce.core.ScriptOutputType.VALUE, new String[0]);

    assertThat(first).isEqualTo(prefix);
    assertThat(second).isEqualTo(prefix);
    assertThat(redis.scriptExists(redis.digest("return '" + prefix + "'"))).containsExactly(true);
  }

  @Test
  void refusesModelsTheKeyMayNotUse() {
    Caller caller = new Caller("cus_m", "key_m",
        new KeyLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Set.of("a/allowed")));

    assertThatThrownBy(() -> admission.admit(caller, "a/other", 1, 1))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.error().status()).isEqualTo(403);
          assertThat(e.error().param()).isEqualTo("model");
        });
  }

  @Test
  void readsLimitsFromTheKeysRedisHash() {
    KeyLimits limits = KeyLimits.fromRedisHash(Map.of("rpm", "60", "tpm", "", "credit_limit_micros", "x",
        "allowed_models", "a/b, c/d"));

    assertThat(limits.requestsPerMinute()).hasValue(60);
    assertThat(limits.tokensPerMinute()).isEmpty();
    assertThat(limits.creditLimitMicros()).hasValue(0); // unreadable: refuse rather than unlimited
    assertThat(limits.allowedModels()).containsExactlyInAnyOrder("a/b", "c/d");
  }
}
