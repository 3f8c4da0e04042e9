package dev.silkroute.router.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Where endpoint statistics live: named buckets of counters (one per endpoint per minute, and per
 * hour), shared by every router replica when backed by Redis.
 */
public interface StatsBuckets {

  /** Adds to counters of a bucket, which expires {@code ttl} after its last change. */
  void increment(String bucket, Map<String, Long> counters, Duration ttl);

  /** Makes every increment so far visible to {@link #read} everywhere, for stores that batch them. */
  default void flush() {
  }

  /** The counters of each bucket, in the order asked; an empty map for a bucket that does not exist. */
  List<Map<String, Long>> read(List<String> buckets);
}
