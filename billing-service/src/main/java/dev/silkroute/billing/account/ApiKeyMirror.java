package dev.silkroute.billing.account;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The router's copy of the API keys: one Redis HASH {@code <prefix>apikey:<sha256hex>} with
 * fields customer_id, key_id and status per key. PostgreSQL is the truth; this is rebuilt from it.
 */
public final class ApiKeyMirror {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int PIPELINE = 1000;

  private final StatefulRedisConnection<String, String> redis;
  private final RedisConfig config;

  ApiKeyMirror(StatefulRedisConnection<String, String> redis, RedisConfig config) {
    this.redis = redis;
    this.config = config;
  }

  void put(ApiKey key) {
    redis.sync().hset(config.apiKey(key.keyHash()), fields(key));
  }

  /** Summary of a rebuild: hashes written, and stale hashes (keys not in PostgreSQL) removed. */
  public record Rebuild(int written, int removed) {
  }

  /**
   * Writes every key {@code source} yields, then deletes mirror entries PostgreSQL does not know
   * (for example after the database was recreated), so a forgotten key cannot authenticate.
   */
  Rebuild rebuild(Consumer<Consumer<ApiKey>> source) {
    RedisAsyncCommands<String, String> async = redis.async();
    Set<String> known = new HashSet<>();
    List<RedisFuture<?>> pending = new ArrayList<>();
    source.accept(key -> {
      String name = config.apiKey(key.keyHash());
      known.add(name);
      // Lettuce pipelines commands on one connection; wait in chunks to bound memory.
      pending.add(async.hset(name, fields(key)));
      if (pending.size() >= PIPELINE) {
        await(pending);
      }
    });
    await(pending);
    int removed = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    ScanArgs match = ScanArgs.Builder.matches(config.apiKeyPattern()).limit(1000);
    do {
      KeyScanCursor<String> page = redis.sync().scan(cursor, match);
      List<String> stale = page.getKeys().stream().filter(k -> !known.contains(k)).toList();
      if (!stale.isEmpty()) {
        removed += redis.sync().del(stale.toArray(String[]::new)).intValue();
      }
      cursor = page;
    } while (!cursor.isFinished());
    return new Rebuild(known.size(), removed);
  }

  private static void await(List<RedisFuture<?>> pending) {
    if (!LettuceFutures.awaitAll(TIMEOUT, pending.toArray(RedisFuture[]::new))) {
      throw new IllegalStateException("Redis did not acknowledge " + pending.size()
          + " API key writes within " + TIMEOUT);
    }
    pending.clear();
  }

  private static Map<String, String> fields(ApiKey key) {
    return Map.of("customer_id", key.customerId(), "key_id", key.id(),
        "status", key.status().wire());
  }
}
