package dev.silkroute.billing.account;

import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.RedisKeys;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The router's copy of the API keys: one Redis HASH {@link RedisKeys#apiKey} per key, holding its
 * {@link ApiKeyRecord} (with its label, which the router's {@code /key} shows). PostgreSQL is the truth; this is rebuilt from it. A hash is replaced in one
 * script, so the router never sees a removed limit's field next to a new one's. Every change is
 * announced on {@link RedisKeys#apiKeyChanges()} (the key's SHA-256 hex, or
 * {@link RedisKeys#EVERY_API_KEY} after a rebuild), so that routers evict the key from their caches.
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
    redis.sync().eval(ApiKeyRecord.REPLACE_SCRIPT, ScriptOutputType.INTEGER,
        new String[] {config.keys().apiKey(key.keyHash())}, key.record().replaceArguments());
    // Routers cache keys for a few seconds; the announcement makes a revocation or a new limit
    // apply at once. Published after the write, so a router that hears it reads the new hash.
    redis.sync().publish(config.keys().apiKeyChanges(), key.keyHash());
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
      String name = config.keys().apiKey(key.keyHash());
      known.add(name);
      // Lettuce pipelines commands on one connection; wait in chunks to bound memory.
      pending.add(async.eval(ApiKeyRecord.REPLACE_SCRIPT, ScriptOutputType.INTEGER, new String[] {name},
          key.record().replaceArguments()));
      if (pending.size() >= PIPELINE) {
        await(pending);
      }
    });
    await(pending);
    int removed = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    ScanArgs match = ScanArgs.Builder.matches(config.keys().apiKeyPattern()).limit(1000);
    do {
      KeyScanCursor<String> page = redis.sync().scan(cursor, match);
      List<String> stale = page.getKeys().stream().filter(k -> !known.contains(k)).toList();
      if (!stale.isEmpty()) {
        removed += redis.sync().del(stale.toArray(String[]::new)).intValue();
      }
      cursor = page;
    } while (!cursor.isFinished());
    redis.sync().publish(config.keys().apiKeyChanges(), RedisKeys.EVERY_API_KEY);
    return new Rebuild(known.size(), removed);
  }

  private static void await(List<RedisFuture<?>> pending) {
    if (!LettuceFutures.awaitAll(TIMEOUT, pending.toArray(RedisFuture[]::new))) {
      throw new IllegalStateException("Redis did not acknowledge " + pending.size()
          + " API key writes within " + TIMEOUT);
    }
    pending.clear();
  }
}
