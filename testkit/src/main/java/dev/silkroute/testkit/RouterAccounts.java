package dev.silkroute.testkit;

import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.contracts.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.function.Consumer;

/**
 * Customers' API keys and credit in the real Redis from {@link Infra#redis()}, written as
 * billing-service mirrors them for the routers (the contracts module's names and fields), for tests
 * that run a router without billing-service. Each call uses a connection of its own: for set-up, not
 * for hot loops.
 */
public final class RouterAccounts {

  private RouterAccounts() {
  }

  /** A fresh key in billing's format ({@code sk-sr-v1-} + 64 hex), not yet known anywhere. */
  public static String newKey() {
    return "sk-sr-v1-" + Infra.randomHex(64);
  }

  /** A new active key of the customer under {@code prefix}, with these limits; returns the key itself. */
  public static String activeKey(String prefix, String customerId, String keyId, KeyLimits limits) {
    return key(prefix, new ApiKeyRecord(customerId, keyId, ApiKeyRecord.ACTIVE, limits));
  }

  /** A new key under {@code prefix} whose hash holds {@code record}; returns the key itself. */
  public static String key(String prefix, ApiKeyRecord record) {
    String key = newKey();
    run(redis -> redis.hset(new RedisKeys(prefix).apiKey(ApiKeyHash.sha256Hex(key)), record.hashFields()));
    return key;
  }

  /** Sets what the customer may still spend, in micro-USD, as billing's grants leave it. */
  public static void setBalance(String prefix, String customerId, long micros) {
    run(redis -> redis.set(new RedisKeys(prefix).balance(customerId), Long.toString(micros)));
  }

  private static void run(Consumer<RedisCommands<String, String>> write) {
    RedisClient client = RedisClient.create(Infra.redis().uri());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      write.accept(connection.sync());
    } finally {
      client.shutdown();
    }
  }
}
