package dev.silkroute.router.routing;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Buckets as Redis hashes {@code <prefix><bucket>} (one counter per field, HINCRBY, with a TTL), so that
 * every router replica routes on one picture. Writes are fire-and-forget on lettuce's pipelined
 * connection: a request never waits for statistics.
 */
public final class RedisStatsBuckets implements StatsBuckets {

  private final RedisAsyncCommands<String, String> redis;
  private final String prefix;
  private final Duration readTimeout;

  public RedisStatsBuckets(StatefulRedisConnection<String, String> connection, String prefix,
                           Duration readTimeout) {
    this.redis = connection.async();
    this.prefix = prefix;
    this.readTimeout = readTimeout;
  }

  @Override
  public void increment(String bucket, Map<String, Long> counters, Duration ttl) {
    String key = prefix + bucket;
    counters.forEach((field, n) -> redis.hincrby(key, field, n));
    redis.expire(key, ttl.toSeconds());
  }

  @Override
  public List<Map<String, Long>> read(List<String> buckets) {
    List<RedisFuture<Map<String, String>>> futures = new ArrayList<>(buckets.size());
    buckets.forEach(bucket -> futures.add(redis.hgetall(prefix + bucket)));
    List<Map<String, Long>> out = new ArrayList<>(buckets.size());
    long deadline = System.nanoTime() + readTimeout.toNanos();
    try {
      for (RedisFuture<Map<String, String>> future : futures) {
        Map<String, String> raw = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        Map<String, Long> counters = new HashMap<>(raw.size() * 2);
        raw.forEach((k, v) -> counters.put(k, Long.parseLong(v)));
        out.add(counters);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted reading endpoint statistics from Redis", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read endpoint statistics from Redis: " + e, e);
    }
    return out;
  }
}
