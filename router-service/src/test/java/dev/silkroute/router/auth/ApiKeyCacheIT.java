package dev.silkroute.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.testkit.Infra;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router's key cache on real Redis: used while billing is silent, evicted when it announces a change. */
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
    hash = ApiKeys.sha256Hex(key);
    redis.hset(apiKey(hash), Map.of("customer_id", "cus_a", "key_id", "key_a", "status", "active", "rpm", "10"));
  }

  private String apiKey(String sha256Hex) {
    return prefix + "apikey:" + sha256Hex;
  }

  @Test
  void aRevokedKeyIsRefusedAsSoonAsBillingAnnouncesIt() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).hasValueSatisfying(caller -> assertThat(caller.keyId()).isEqualTo("key_a"));

      redis.hset(apiKey(hash), "status", "revoked");
      assertThat(keys.authenticate(key)).as("cached while billing has said nothing").isPresent();

      redis.publish(ApiKeyChanges.channel(prefix), hash);
      await().atMost(Duration.ofSeconds(5)).until(() -> keys.authenticate(key).isEmpty());
    }
  }

  @Test
  void aRebuildAnnouncementEvictsEveryKey() {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMinutes(5), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).isPresent();
      redis.hset(apiKey(hash), "rpm", "99");

      redis.publish(ApiKeyChanges.channel(prefix), ApiKeyChanges.ALL);
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
      redis.hset(apiKey(hash), "status", "revoked");

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

    redis.hset(apiKey(hash), "status", "revoked");

    assertThat(keys.authenticate(key)).isEmpty();
  }

  @Test
  void anEntryOutlivesItsTimeToLiveOnlyUntilItExpires() throws InterruptedException {
    ApiKeys keys = new ApiKeys(connection.async(), prefix, Duration.ofMillis(200), 100);
    try (ApiKeyChanges changes = ApiKeyChanges.subscribe(client, prefix, keys)) {
      assertThat(keys.authenticate(key)).isPresent();
      redis.hset(apiKey(hash), "status", "revoked");

      await().atMost(Duration.ofSeconds(5)).until(() -> keys.authenticate(key).isEmpty());
    }
  }
}
