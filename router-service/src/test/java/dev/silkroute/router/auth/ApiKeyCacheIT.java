package dev.silkroute.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.core.Caller;
import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The router's side of the API key contract on real Redis, and its round trip: every hash here is
 * written the way billing-service's {@code ApiKeyMirror} writes it (the contract's replace script,
 * then the announcement), and {@link ApiKeys} must read back what billing wrote, keep it cached while
 * billing is silent and evict it when billing announces a change. billing-service's own tests read
 * what its mirror writes with the same contract ({@code KeyLimitsAndBalanceIT}).
 */
class ApiKeyCacheIT {

  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;
  private static RedisCommands<String, String> redis;

  private String prefix;
  private String key;
  private String hash;

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
  void aKey() {
    prefix = Infra.uniqueName("apikeycacheit") + ":";
    key = "sk-sr-v1-" + prefix.replace(":", "");
    hash = ApiKeyHash.sha256Hex(key);
    billingWrites(record(ApiKeyRecord.ACTIVE, 10));
  }

  /** As billing's ApiKeyMirror writes a key, before it announces the change. */
  private void billingWrites(ApiKeyRecord record) {
    redis.eval(ApiKeyRecord.REPLACE_SCRIPT, ScriptOutputType.INTEGER,
        new String[] {new RedisKeys(prefix).apiKey(hash)}, record.replaceArguments());
  }

  private void billingAnnounces(String message) {
    redis.publish(new RedisKeys(prefix).apiKeyChanges(), message);
  }

  /** The key's hash as billing writes it, with a requests-per-minute limit. */
  private static ApiKeyRecord record(String status, long requestsPerMinute) {
    return new ApiKeyRecord("cus_a", "key_a", status,
        new KeyLimits(OptionalLong.empty(), OptionalLong.of(requestsPerMinute), OptionalLong.empty(), Set.of()));
  }

  private void revoke() {
    billingWrites(record(ApiKeyRecord.REVOKED, 10));
  }

  @Test
  void theRouterReadsTheCustomerTheKeyAndEveryLimitBillingWrote() {
    KeyLimits every = KeyLimits.of(OptionalLong.of(2_500_000), OptionalLong.of(30), OptionalLong.of(90_000),
        List.of("qwen/qwen3-235b", "deepseek/deepseek-v3"));
    billingWrites(new ApiKeyRecord("cus_a", "key_a", ApiKeyRecord.ACTIVE, every));

    assertThat(new ApiKeys(connection.async(), prefix).authenticate(key))
        .contains(new Caller("cus_a", "key_a", every));
  }

  @Test
  void aLimitBillingRemovesIsNoLongerEnforcedByTheRouter() {
    billingWrites(new ApiKeyRecord("cus_a", "key_a", ApiKeyRecord.ACTIVE, KeyLimits.NONE));

    assertThat(new ApiKeys(connection.async(), prefix).authenticate(key))
        .contains(new Caller("cus_a", "key_a", KeyLimits.NONE));
  }

  @Test
  void aRevokedKeyIsRefusedAsSoonAsBillingAnnouncesIt() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).hasValueSatisfying(caller -> assertThat(caller.keyId()).isEqualTo("key_a"));

      revoke();
      assertThat(keys.authenticate(key)).as("cached while billing has said nothing").isPresent();

      billingAnnounces(hash);
      await().atMost(Duration.ofSeconds(5)).until(() -> keys.authenticate(key).isEmpty());
    }
  }

  @Test
  void aRebuildAnnouncementEvictsEveryKey() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).isPresent();
      billingWrites(record(ApiKeyRecord.ACTIVE, 99));

      billingAnnounces(RedisKeys.EVERY_API_KEY);
      await().atMost(Duration.ofSeconds(5)).until(() ->
          keys.authenticate(key).orElseThrow().limits().requestsPerMinute().getAsLong() == 99);
    }
  }

  @Test
  void aKeyIsReadFromRedisWithoutWaitingAndThenAnsweredFromTheCacheAtOnce() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        keys.authenticateAsync(key).join();
        return keys.authenticateAsync(key).isDone();
      });
      revoke();

      assertThat(keys.authenticateAsync(key)).as("cached: no Redis reply to wait for").isDone()
          .isCompletedWithValueMatching(caller -> caller.orElseThrow().customerId().equals("cus_a"));
      assertThat(keys.authenticateAsync("sk-sr-v1-unknown").join()).isEmpty();
      assertThat(keys.authenticateAsync("not-a-key")).isCompletedWithValue(java.util.Optional.empty());
    }
  }

  @Test
  void nothingIsCachedWhileChangesCannotBeHeard() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    assertThat(keys.authenticate(key)).isPresent();

    revoke();

    assertThat(keys.authenticate(key)).isEmpty();
  }

  @Test
  void anEntryOutlivesItsTimeToLiveOnlyUntilItExpires() throws InterruptedException {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMillis(200), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).isPresent();
      revoke();

      await().atMost(Duration.ofSeconds(5)).until(() -> keys.authenticate(key).isEmpty());
    }
  }

  @Test
  void aKeyInUseIsReadAgainInTheBackgroundAndNeverWaitsForRedisAgain() throws InterruptedException {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofSeconds(1), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        keys.authenticateAsync(key).join();
        return keys.authenticateAsync(key).isDone();
      });
      billingWrites(record(ApiKeyRecord.ACTIVE, 20)); // a change billing never announced

      // A request every 20 ms for three times the time to live: each is answered from memory, and
      // the unannounced change arrives by a background read within the time to live.
      long requestsPerMinute = 10;
      for (int i = 0; i < 150; i++) {
        CompletableFuture<Optional<Caller>> caller = keys.authenticateAsync(key);
        assertThat(caller).as("request %d: answered without waiting for Redis", i).isDone();
        requestsPerMinute = caller.join().orElseThrow().limits().requestsPerMinute().orElseThrow();
        Thread.sleep(20);
      }
      assertThat(requestsPerMinute).as("the change, read in the background").isEqualTo(20);
    }
  }
}
