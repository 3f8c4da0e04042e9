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
 * every router replica routes on one picture. Increments are summed here and written by
 * {@link #flush()} (every second, see {@link TrafficStats#refreshEvery}): a request used to send up
 * to ten commands (two buckets, a counter per outcome and timing slot, and their TTLs), three
 * quarters of the router's Redis traffic; summed, a busy endpoint costs a few commands a second.
 * Routing reads 5- to 30-minute windows, so a second's delay changes nothing. Writes are
 * fire-and-forget on lettuce's pipelined connection: neither a request nor a flush waits for them.
 */
public final class RedisStatsBuckets implements StatsBuckets {

  private final RedisAsyncCommands<String, String> redis;
  private final String prefix;
  private final Duration readTimeout;
  // Bucket -> counter -> sum since the last flush, and the bucket's TTL; swapped out whole by flush().
  private Map<String, Pending> pending = new HashMap<>();

  private record Pending(Map<String, Long> counters, Duration ttl) {
  }

  public RedisStatsBuckets(StatefulRedisConnection<String, String> connection, String prefix,
                           Duration readTimeout) {
    this.redis = connection.async();
    this.prefix = prefix;
    this.readTimeout = readTimeout;
  }

  @Override
  public synchronized void increment(String bucket, Map<String, Long> counters, Duration ttl) {
    Map<String, Long> sums = pending.computeIfAbsent(bucket, b -> new Pending(new HashMap<>(), ttl)).counters();
    counters.forEach((field, n) -> sums.merge(field, n, Long::sum));
  }

  /** Sends what was counted since the last flush. */
  @Override
  public void flush() {
    Map<String, Pending> out;
    synchronized (this) {
      if (pending.isEmpty()) {
        return;
      }
      out = pending;
      pending = new HashMap<>();
    }
    out.forEach((bucket, sums) -> {
      String key = prefix + bucket;
      sums.counters().forEach((field, n) -> redis.hincrby(key, field, n));
      redis.expire(key, sums.ttl().toSeconds());
    });
  }

  /** The buckets as Redis holds them, after this replica's own pending counts were sent. */
  @Override
  public List<Map<String, Long>> read(List<String> buckets) {
    flush();
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
