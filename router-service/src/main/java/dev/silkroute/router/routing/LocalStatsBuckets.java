package dev.silkroute.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Buckets in this process only: for a single router and for tests. Expiry follows the injected clock. */
public final class LocalStatsBuckets implements StatsBuckets {

  private record Bucket(Map<String, LongAdder> counters, long[] expiresAtMillis) {
  }

  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public LocalStatsBuckets(Clock clock) {
    this.clock = clock;
  }

  @Override
  public void increment(String bucket, Map<String, Long> counters, Duration ttl) {
    long now = clock.millis();
    if (buckets.size() > 10_000) {
      buckets.values().removeIf(b -> b.expiresAtMillis[0] <= now);
    }
    Bucket b = buckets.computeIfAbsent(bucket, k -> new Bucket(new ConcurrentHashMap<>(), new long[1]));
    counters.forEach((name, n) -> b.counters.computeIfAbsent(name, k -> new LongAdder()).add(n));
    b.expiresAtMillis[0] = now + ttl.toMillis();
  }

  @Override
  public List<Map<String, Long>> read(List<String> names) {
    long now = clock.millis();
    List<Map<String, Long>> out = new ArrayList<>(names.size());
    for (String name : names) {
      Bucket b = buckets.get(name);
      Map<String, Long> counters = new HashMap<>();
      if (b != null && b.expiresAtMillis[0] > now) {
        b.counters.forEach((k, v) -> counters.put(k, v.sum()));
      }
      out.add(counters);
    }
    return out;
  }
}
