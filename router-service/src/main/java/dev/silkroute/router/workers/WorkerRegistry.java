package dev.silkroute.router.workers;

import dev.silkroute.contracts.WorkerKeys;
import dev.silkroute.proto.v1.WorkerStatus;
import io.grpc.ManagedChannel;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live self-hosted workers as this router sees them, kept from Redis: a worker's {@code PUBLISH
 * <prefix>workers:changed <id>} makes the registry {@code GET} its key at once (so a change is seen in
 * milliseconds), and a full resync from the {@code <prefix>workers} SET every {@code resyncInterval}
 * catches what pub/sub cannot say: keys that expired (a worker killed without deregistering) and
 * messages missed while disconnected. A worker that reports draining, or whose key is gone, leaves the
 * view and its gRPC channel is closed.
 */
public final class WorkerRegistry implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRegistry.class);

  private final RedisClient client;
  private final WorkerKeys keys;
  private final WorkerReports reports;
  private final Duration resyncInterval;
  private final Function<String, ManagedChannel> channels;
  private final Map<String, LiveWorker> workers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "worker-registry");
    t.setDaemon(true);
    return t;
  });
  private StatefulRedisConnection<String, String> redis;
  private StatefulRedisPubSubConnection<String, String> subscription;

  /**
   * @param channels opens a channel to a worker's {@code host:port}; the registry closes it on removal
   */
  WorkerRegistry(RedisClient client, WorkerKeys keys, WorkerReports reports, Duration resyncInterval,
                 Function<String, ManagedChannel> channels) {
    if (resyncInterval.isNegative() || resyncInterval.isZero()) {
      throw new IllegalArgumentException("resyncInterval must be positive, got " + resyncInterval);
    }
    this.client = client;
    this.keys = keys;
    this.reports = reports;
    this.resyncInterval = resyncInterval;
    this.channels = channels;
  }

  /** Subscribes, then loads every registered worker; returns once the first resync is done. */
  public WorkerRegistry start() {
    redis = client.connect();
    subscription = client.connectPubSub();
    subscription.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(String channel, String workerId) {
        refresh(workerId);
      }
    });
    // Subscribe before the first resync: a change in between is then seen by one or the other.
    subscription.sync().subscribe(keys.changedChannel());
    resync();
    scheduler.scheduleWithFixedDelay(this::resync, resyncInterval.toMillis(), resyncInterval.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  public Optional<LiveWorker> worker(String workerId) {
    return Optional.ofNullable(workers.get(workerId));
  }

  public Collection<LiveWorker> workers() {
    return List.copyOf(workers.values());
  }

  /** Live, not draining workers that serve {@code model}. */
  public List<LiveWorker> serving(String model) {
    List<LiveWorker> serving = new ArrayList<>();
    for (LiveWorker worker : workers.values()) {
      if (worker.serves(model)) {
        serving.add(worker);
      }
    }
    return serving;
  }

  /** The latest report of every live worker: a read-only snapshot for metrics and dashboards. */
  public List<WorkerStatus> statuses() {
    return workers.values().stream().map(LiveWorker::status).toList();
  }

  private void refresh(String workerId) {
    // Replies on one connection come in command order, so a later GET never loses to an earlier one.
    redis.async().get(keys.worker(workerId)).whenComplete((json, error) -> {
      if (error != null) {
        LOG.debug("cannot read worker {} ({}); the next resync retries", workerId, error.getMessage());
      } else {
        apply(workerId, json);
      }
    });
  }

  /** Reads every registered worker; drops the ones whose key is gone, here and from the SET. */
  void resync() {
    try {
      List<String> ids = new ArrayList<>(redis.sync().smembers(keys.workers()));
      Set<String> present = new HashSet<>();
      if (!ids.isEmpty()) {
        List<KeyValue<String, String>> values = redis.sync().mget(ids.stream().map(keys::worker)
            .toArray(String[]::new));
        List<String> dead = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
          String json = values.get(i).getValueOrElse(null);
          apply(ids.get(i), json);
          if (json == null) {
            dead.add(ids.get(i));
          } else {
            present.add(ids.get(i));
          }
        }
        if (!dead.isEmpty()) {
          // Safe: a live worker SADDs itself again with every beat.
          redis.async().srem(keys.workers(), dead.toArray(String[]::new));
        }
      }
      for (String known : workers.keySet()) {
        if (!present.contains(known)) {
          remove(known, "no longer registered");
        }
      }
    } catch (RedisException e) {
      // Keep the last view: workers' own admission still protects them, and the next resync retries.
      LOG.warn("worker registry resync failed: {}", e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("worker registry resync failed", e); // the scheduler must keep running
    }
  }

  private void apply(String workerId, String json) {
    if (json == null) {
      remove(workerId, "key expired or deleted");
      return;
    }
    WorkerStatus status;
    try {
      status = reports.read(json);
    } catch (IllegalArgumentException e) {
      LOG.warn("ignoring worker {}: bad heartbeat: {}", workerId, e.getMessage());
      return;
    }
    if (!status.getWorkerId().equals(workerId) || workerId.contains("/")) {
      // Endpoint ids embed the worker id between slashes; a slash in it would make them ambiguous.
      LOG.warn("ignoring worker {}: its heartbeat names {} (ids must match and hold no '/')", workerId,
          status.getWorkerId());
      return;
    }
    if (status.getDraining()) {
      remove(workerId, "draining");
      return;
    }
    List<ManagedChannel> stale = new ArrayList<>(1);
    workers.compute(workerId, (id, known) -> {
      if (known != null && known.status().getReportedAtMs() > status.getReportedAtMs()) {
        return known; // an older report arriving late
      }
      if (known != null && known.status().getAddress().equals(status.getAddress())) {
        return new LiveWorker(status, known.channel(),
            Math.max(known.bestTokensPerSecond(), status.getTokensPerSecond()));
      }
      if (known != null) {
        stale.add(known.channel()); // same id, new address: a restarted worker
      } else {
        LOG.info("worker {} at {} ({}, {}) joined", id, status.getAddress(), status.getGpuType(),
            status.getModelsList());
      }
      return new LiveWorker(status, channels.apply(status.getAddress()), status.getTokensPerSecond());
    });
    stale.forEach(ManagedChannel::shutdown);
  }

  private void remove(String workerId, String why) {
    LiveWorker gone = workers.remove(workerId);
    if (gone != null) {
      LOG.info("worker {} left: {}", workerId, why);
      // Calls in flight finish (a draining worker completes them); new calls are refused.
      gone.channel().shutdown();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    if (subscription != null) {
      subscription.close();
    }
    if (redis != null) {
      redis.close();
    }
    workers.keySet().forEach(id -> remove(id, "router closing"));
  }
}
