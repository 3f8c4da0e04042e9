package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Endpoint statistics from real traffic: every attempt adds to a per-minute and a per-hour bucket of
 * its endpoint; {@link #refresh()} sums the last 5 and 30 minute buckets and the last 24 hour
 * buckets (so "1 day" is 23 to 24 hours) into an {@link EndpointStats} per endpoint, which routing
 * reads without touching the store. Latency, time to first token and throughput are kept as
 * log-scale histograms (4 buckets per doubling, so a percentile is within 19% of the truth), which
 * sum across replicas and minutes, unlike stored percentiles.
 */
public final class TrafficStats implements AttemptRecorder, AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrafficStats.class);

  private static final Duration MINUTE_TTL = Duration.ofMinutes(35);
  private static final Duration HOUR_TTL = Duration.ofHours(25);
  private static final int SLOTS = 100;
  private static final long FLUSH_MILLIS = 1_000;

  private final StatsBuckets buckets;
  private final Clock clock;
  private final Set<String> tracked = ConcurrentHashMap.newKeySet();
  private volatile Map<String, EndpointStats> current = Map.of();
  private java.util.concurrent.ScheduledExecutorService refresher;

  public TrafficStats(StatsBuckets buckets, Clock clock) {
    this.buckets = buckets;
    this.clock = clock;
  }

  @Override
  public void record(Endpoint endpoint, Outcome outcome, long latencyMs, long ttftMs, long completionTokens,
                     long generationMs) {
    if (!outcome.countsForUptime()) {
      return; // caller errors and cancellations say nothing about the endpoint
    }
    tracked.add(endpoint.id());
    Map<String, Long> counters = new HashMap<>(8);
    counters.put(outcome == Outcome.OK ? "ok" : "err", 1L);
    if (outcome == Outcome.OK) {
      counters.put("lat:" + slot(latencyMs), 1L);
      if (ttftMs >= 0) {
        counters.put("ttft:" + slot(ttftMs), 1L);
      }
      if (completionTokens > 0 && generationMs > 0) {
        counters.put("tps:" + slot(completionTokens * 1000 / generationMs), 1L);
      }
    }
    long minute = clock.millis() / 60_000;
    buckets.increment(minuteBucket(endpoint.id(), minute), counters, MINUTE_TTL);
    buckets.increment(hourBucket(endpoint.id(), minute / 60), counters, HOUR_TTL);
  }

  /**
   * One generation's tokens as the endpoint reported them (from its usage event, see {@link TokenMix}):
   * summed per minute and hour beside the outcomes, so every replica sees each endpoint's token mix.
   *
   * @param cachedTokens the part of {@code promptTokens} served from the provider's prompt cache
   */
  public void usage(String endpointId, long promptTokens, long completionTokens, long cachedTokens) {
    tracked.add(endpointId);
    Map<String, Long> counters = Map.of(TokenMix.GENERATIONS, 1L, TokenMix.PROMPT_TOKENS, Math.max(0, promptTokens),
        TokenMix.COMPLETION_TOKENS, Math.max(0, completionTokens),
        TokenMix.CACHED_TOKENS, Math.min(Math.max(0, cachedTokens), Math.max(0, promptTokens)));
    long minute = clock.millis() / 60_000;
    buckets.increment(minuteBucket(endpointId, minute), counters, MINUTE_TTL);
    buckets.increment(hourBucket(endpointId, minute / 60), counters, HOUR_TTL);
  }

  @Override
  public void late(Endpoint endpoint, Lateness lateness) {
    tracked.add(endpoint.id());
    Map<String, Long> counter = Map.of(lateness.label(), 1L);
    long minute = clock.millis() / 60_000;
    buckets.increment(minuteBucket(endpoint.id(), minute), counter, MINUTE_TTL);
    buckets.increment(hourBucket(endpoint.id(), minute / 60), counter, HOUR_TTL);
  }

  /** Endpoints whose statistics {@link #refresh()} computes, besides those that had traffic here. */
  public void track(String endpointId) {
    tracked.add(endpointId);
  }

  /** The latest computed statistics of an endpoint ({@link EndpointStats#NONE} before any). */
  public EndpointStats stats(String endpointId) {
    return current.getOrDefault(endpointId, EndpointStats.NONE);
  }

  public Map<String, EndpointStats> all() {
    return current;
  }

  /** Reads the buckets of every tracked endpoint and replaces the statistics routing reads. */
  public void refresh() {
    List<String> ids = List.copyOf(tracked);
    long minute = clock.millis() / 60_000;
    long hour = minute / 60;
    List<String> names = new ArrayList<>(ids.size() * 54);
    for (String id : ids) {
      for (int i = 0; i < 30; i++) {
        names.add(minuteBucket(id, minute - i));
      }
      for (int i = 0; i < 24; i++) {
        names.add(hourBucket(id, hour - i));
      }
    }
    List<Map<String, Long>> read = buckets.read(names);
    Map<String, EndpointStats> next = new HashMap<>(ids.size() * 2);
    for (int e = 0; e < ids.size(); e++) {
      List<Map<String, Long>> own = read.subList(e * 54, e * 54 + 54);
      next.put(ids.get(e), summarise(own.subList(0, 5), own.subList(0, 30), own.subList(30, 54)));
    }
    current = Map.copyOf(next);
  }

  private static EndpointStats summarise(List<Map<String, Long>> five, List<Map<String, Long>> thirty,
                                         List<Map<String, Long>> day) {
    Window w5 = Window.of(five);
    Window w30 = Window.of(thirty);
    Window w1d = Window.of(day);
    // Percentiles from the last 30 minutes while they have any; a quiet endpoint falls back to the day.
    Window timing = w30.ok > 0 ? w30 : w1d;
    return new EndpointStats(w5.requests(), w5.uptime(), w30.requests(), w30.uptime(), w1d.requests(),
        w1d.uptime(), timing.percentile("lat", 0.5), timing.percentile("lat", 0.9),
        timing.percentile("lat", 0.99), timing.percentile("ttft", 0.5), timing.percentile("ttft", 0.9),
        timing.percentile("ttft", 0.99), timing.percentile("tps", 0.5),
        w30.count(Lateness.FIRST_BYTE_TIMEOUT), w30.count(Lateness.STALL), w30.count(Lateness.SLOW),
        timing.percentile("ttft", 0.75), timing.percentile("tps", 0.75), timing.percentile("tps", 0.9),
        timing.percentile("tps", 0.99), w30.mix().generations() > 0 ? w30.mix() : w1d.mix());
  }

  /** Counters of several buckets summed. */
  private record Window(long ok, long errors, Map<String, long[]> histograms, Map<String, Long> counts) {

    static Window of(List<Map<String, Long>> buckets) {
      long ok = 0;
      long errors = 0;
      Map<String, long[]> histograms = new HashMap<>();
      Map<String, Long> counts = new HashMap<>();
      for (Map<String, Long> bucket : buckets) {
        for (Map.Entry<String, Long> counter : bucket.entrySet()) {
          String name = counter.getKey();
          int colon = name.indexOf(':');
          if (colon < 0) {
            ok += name.equals("ok") ? counter.getValue() : 0;
            errors += name.equals("err") ? counter.getValue() : 0;
            counts.merge(name, counter.getValue(), Long::sum);
            continue;
          }
          int slot;
          try {
            slot = Integer.parseInt(name.substring(colon + 1));
          } catch (NumberFormatException e) {
            continue; // a field some other version wrote; not ours to read
          }
          if (slot >= 0 && slot < SLOTS) {
            histograms.computeIfAbsent(name.substring(0, colon), k -> new long[SLOTS])[slot] += counter.getValue();
          }
        }
      }
      return new Window(ok, errors, histograms, counts);
    }

    long count(Lateness lateness) {
      return counts.getOrDefault(lateness.label(), 0L);
    }

    TokenMix.Mix mix() {
      return TokenMix.Mix.of(counts.getOrDefault(TokenMix.GENERATIONS, 0L),
          counts.getOrDefault(TokenMix.PROMPT_TOKENS, 0L), counts.getOrDefault(TokenMix.COMPLETION_TOKENS, 0L),
          counts.getOrDefault(TokenMix.CACHED_TOKENS, 0L));
    }

    long requests() {
      return ok + errors;
    }

    double uptime() {
      return requests() == 0 ? Double.NaN : (double) ok / requests();
    }

    long percentile(String histogram, double q) {
      long[] counts = histograms.get(histogram);
      if (counts == null) {
        return -1;
      }
      long total = 0;
      for (long c : counts) {
        total += c;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < SLOTS; i++) {
        seen += counts[i];
        if (seen >= Math.max(1, rank)) {
          return value(i);
        }
      }
      return -1;
    }
  }

  /** Log-scale slot of a non-negative value: 4 per doubling, so 0..99 covers up to ~2^25. */
  static int slot(long value) {
    if (value <= 0) {
      return 0;
    }
    return (int) Math.min(SLOTS - 1, Math.floor(4 * Math.log(value + 1.0) / Math.log(2)));
  }

  /** A representative value of a slot: the geometric middle of its range. */
  static long value(int slot) {
    return Math.max(0, Math.round(Math.pow(2, (slot + 0.5) / 4) - 1));
  }

  private static String minuteBucket(String endpointId, long minute) {
    return "m:" + endpointId + ":" + minute;
  }

  private static String hourBucket(String endpointId, long hour) {
    return "h:" + endpointId + ":" + hour;
  }

  /** Sends the counts recorded here to the shared buckets (a replica's own reads do this first). */
  public void flush() {
    buckets.flush();
  }

  /**
   * Refreshes every {@code interval}, and flushes this replica's counts every second, on a daemon
   * thread until {@link #close()}.
   */
  public synchronized TrafficStats refreshEvery(Duration interval) {
    if (refresher == null) {
      refresher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "endpoint-stats");
        t.setDaemon(true);
        return t;
      });
      long millis = Math.max(1, interval.toMillis());
      refresher.scheduleWithFixedDelay(() -> {
        try {
          refresh();
        } catch (RuntimeException e) {
          // Redis away: route on the last picture rather than none, and try again next time.
          LOG.warn("endpoint statistics not refreshed: {}", e.getMessage());
        }
      }, millis, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
      refresher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS,
          java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("endpoint statistics not flushed: {}", e.getMessage());
    }
  }

  /** Stops refreshing; what was counted since the last flush is sent. */
  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
    flushQuietly();
  }
}
