package dev.silkroute.worker.heartbeat;

import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.WorkerStatus;
import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the worker in Redis: every {@code interval}, and soon after every change ({@link
 * #changed()}, at most once per {@code minSpacing}), it writes its status with a TTL, adds its id
 * to the registry set and publishes its id; a worker that dies silently disappears when its key
 * expires. {@link #deregister()} deletes the key and tells the routers. One thread, so beats never
 * overlap or reorder.
 */
public final class Heartbeat implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);

  private final StatefulRedisConnection<String, String> connection;
  private final WorkerKeys keys;
  private final Supplier<WorkerStatus> status;
  private final WorkerStatusJson json;
  private final Duration interval;
  private final Duration ttl;
  private final long minSpacingNanos;
  private final LongSupplier nanoTime;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-heartbeat");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean beatPending = new AtomicBoolean();
  private volatile long lastBeatNanos;
  private volatile boolean stopped;

  public Heartbeat(StatefulRedisConnection<String, String> connection, WorkerKeys keys,
      Supplier<WorkerStatus> status, WorkerStatusJson json, Duration interval, Duration ttl,
      Duration minSpacing, LongSupplier nanoTime) {
    if (ttl.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("ttl (" + ttl + ") must be longer than the interval (" + interval + ")");
    }
    this.connection = connection;
    this.keys = keys;
    this.status = status;
    this.json = json;
    this.interval = interval;
    this.ttl = ttl;
    this.minSpacingNanos = minSpacing.toNanos();
    this.nanoTime = nanoTime;
    this.lastBeatNanos = nanoTime.getAsLong() - minSpacingNanos;
  }

  public Heartbeat start() {
    scheduler.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Something significant changed: beat soon, coalescing bursts of changes. */
  public void changed() {
    if (stopped || !beatPending.compareAndSet(false, true)) {
      return;
    }
    long delay = Math.max(0, lastBeatNanos + minSpacingNanos - nanoTime.getAsLong());
    try {
      scheduler.schedule(this::beat, delay, TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      beatPending.set(false); // stopping
    }
  }

  private void beat() {
    beatPending.set(false);
    if (stopped) {
      return;
    }
    lastBeatNanos = nanoTime.getAsLong();
    WorkerStatus now = status.get();
    try {
      RedisCommands<String, String> redis = connection.sync();
      redis.set(keys.worker(now.getWorkerId()), json.write(now), SetArgs.Builder.px(ttl.toMillis()));
      redis.sadd(keys.workers(), now.getWorkerId());
      redis.publish(keys.changedChannel(), now.getWorkerId());
    } catch (RedisException e) {
      // Redis down or slow: the next beat retries; routers drop us when the key expires meanwhile.
      LOG.warn("heartbeat to Redis failed: {}", e.getMessage());
    }
  }

  /** Stops beating and removes the worker from the registry. */
  public void deregister() {
    stopScheduler();
    String id = status.get().getWorkerId();
    try {
      RedisCommands<String, String> redis = connection.sync();
      redis.del(keys.worker(id));
      redis.srem(keys.workers(), id);
      redis.publish(keys.changedChannel(), id);
    } catch (RedisException e) {
      LOG.warn("could not deregister {} from Redis (its key expires within {}): {}", id, ttl, e.getMessage());
    }
  }

  private void stopScheduler() {
    stopped = true;
    scheduler.shutdown();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopScheduler();
  }
}
