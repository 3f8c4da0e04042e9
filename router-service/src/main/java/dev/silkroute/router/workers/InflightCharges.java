package dev.silkroute.router.workers;

import dev.silkroute.contracts.WorkerKeys;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests sent to each worker, counted in Redis across every router replica, so that a burst
 * spreads over workers instead of piling onto the one every replica thinks is idle. A charge is
 * taken when a router picks a worker (before the gRPC call) and released when the call ends.
 *
 * <p>Each charge is a member of the ZSET {@code <prefix>worker:<id>:inflight} scored by its lease
 * expiry, rather than an INCR/DECR counter: a router that dies between the two would leave a counter
 * wrong forever, while its charges here simply expire after {@code lease}. Claims are atomic (one Lua
 * script: prune expired, count, add if below capacity), so replicas never oversubscribe a worker
 * between them. A charge is named after its router instance ({@code silkroute.router.instance}), so
 * a router restarted under the same name releases what its killed run left at once, rather than the
 * lease keeping a worker full. Redis being down never fails a request: the claim is then untracked and the worker's
 * own admission still answers RESOURCE_EXHAUSTED when it is full. (The scripts touch one key each
 * for claims and several for counts: fine on one Redis, not on Redis Cluster across slots.)
 */
final class InflightCharges {

  private static final Logger LOG = LoggerFactory.getLogger(InflightCharges.class);

  /** KEYS[1] inflight zset; ARGV: now ms, lease expiry ms, capacity, member, key ttl ms. -1 = full. */
  private static final String CLAIM = """
      redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
      local n = redis.call('ZCARD', KEYS[1])
      if n >= tonumber(ARGV[3]) then return -1 end
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
      redis.call('PEXPIRE', KEYS[1], ARGV[5])
      return n + 1
      """;

  /** KEYS: inflight zsets; ARGV[1] now ms. The live charges of each. */
  private static final String COUNT = """
      local out = {}
      for i, key in ipairs(KEYS) do out[i] = redis.call('ZCOUNT', key, '(' .. ARGV[1], '+inf') end
      return out
      """;

  /** KEYS[1] inflight zset; ARGV: prefix of the instance's charges, prefix of its current run's. */
  private static final String RELEASE_EARLIER = """
      local n = 0
      for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
        if string.sub(member, 1, #ARGV[1]) == ARGV[1] and string.sub(member, 1, #ARGV[2]) ~= ARGV[2] then
          redis.call('ZREM', KEYS[1], member)
          n = n + 1
        end
      end
      return n
      """;

  private final StatefulRedisConnection<String, String> redis;
  private final WorkerKeys keys;
  private final Duration lease;
  private final Clock clock;
  /** The router instance's name: every charge it takes is named {@code <instance>:<life>:<n>}. */
  private final String instance;
  /** This run of the instance, so its own charges are told from those of its earlier runs. */
  private final String life;
  private final AtomicLong sequence = new AtomicLong();

  /** Charges of an instance of its own, named at random: for tests of one router. */
  InflightCharges(StatefulRedisConnection<String, String> redis, WorkerKeys keys, Duration lease, Clock clock) {
    this(redis, keys, lease, clock, "router-" + UUID.randomUUID().toString().substring(0, 8));
  }

  /**
   * @param lease    how long a charge lasts if its router never releases it; longer than any request
   * @param instance this router's name ({@code silkroute.router.instance}), unique among live routers
   */
  InflightCharges(StatefulRedisConnection<String, String> redis, WorkerKeys keys, Duration lease, Clock clock,
                  String instance) {
    if (lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException("lease must be positive, got " + lease);
    }
    if (instance == null || instance.isBlank()) {
      throw new IllegalArgumentException("instance must be named, got '" + instance + "'");
    }
    this.redis = redis;
    this.keys = keys;
    this.lease = lease;
    this.clock = clock;
    this.instance = instance;
    this.life = Long.toString(clock.millis(), 36);
  }

  /**
   * Releases the charges an earlier run of this instance left on every registered worker: a router
   * killed under load never released them, and until their lease ran out they would keep the worker
   * "full" for every router. Run once at start-up, before this run takes a charge. Redis being down
   * only delays this to the leases' end.
   *
   * @return the charges released
   */
  long releaseEarlierCharges() {
    try {
      long released = 0;
      String earlier = instance + ":";
      String ours = earlier + life + ":";
      for (String workerId : redis.sync().smembers(keys.workers())) {
        Long n = redis.sync().eval(RELEASE_EARLIER, ScriptOutputType.INTEGER, new String[] {keys.inflight(workerId)},
            earlier, ours);
        released += n == null ? 0 : n;
      }
      if (released > 0) {
        LOG.info("released {} worker charges an earlier run of router instance {} left", released, instance);
      }
      return released;
    } catch (RedisException e) {
      LOG.warn("cannot release the worker charges an earlier run of {} left; their leases end them: {}", instance,
          e.getMessage());
      return 0;
    }
  }

  /**
   * Charges one request to the worker unless every router together already sent it {@code capacity}.
   *
   * @return the charge to close when the call ends; empty when the worker is full
   */
  Optional<Charge> claim(String workerId, long capacity) {
    return claimAsync(workerId, capacity).join();
  }

  /**
   * {@link #claim} without waiting: completes on Lettuce's I/O thread (at once when Redis cannot be
   * asked). Never fails: when Redis cannot say, the request is sent uncharged.
   */
  CompletableFuture<Optional<Charge>> claimAsync(String workerId, long capacity) {
    String key = keys.inflight(workerId);
    String member = instance + ":" + life + ":" + sequence.incrementAndGet();
    long now = clock.millis();
    try {
      return redis.async().<Long>eval(CLAIM, ScriptOutputType.INTEGER, new String[] {key},
              Long.toString(now), Long.toString(now + lease.toMillis()), Long.toString(capacity), member,
              Long.toString(lease.toMillis()))
          .toCompletableFuture()
          .handle((taken, failure) -> {
            if (failure != null) {
              LOG.debug("charging worker {} failed, sending uncharged: {}", workerId, failure.getMessage());
              return Optional.of(new Charge(null, null));
            }
            return taken == null || taken < 0 ? Optional.<Charge>empty() : Optional.of(new Charge(key, member));
          });
    } catch (RedisException e) {
      LOG.debug("charging worker {} failed, sending uncharged: {}", workerId, e.getMessage());
      return CompletableFuture.completedFuture(Optional.of(new Charge(null, null)));
    }
  }

  /** {@link #countsAsync}, waited for. */
  Optional<Map<String, Long>> counts(List<String> workerIds) {
    return countsAsync(workerIds).join();
  }

  /**
   * Live charges per worker, all routers together; empty when Redis cannot say. Never fails. Completes
   * on Lettuce's I/O thread (or at once for no workers).
   */
  CompletableFuture<Optional<Map<String, Long>>> countsAsync(List<String> workerIds) {
    if (workerIds.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.of(Map.of()));
    }
    try {
      return redis.async().<List<Long>>eval(COUNT, ScriptOutputType.MULTI,
              workerIds.stream().map(keys::inflight).toArray(String[]::new), Long.toString(clock.millis()))
          .toCompletableFuture()
          .handle((counts, failure) -> {
            if (failure != null) {
              LOG.debug("cannot read in-flight charges: {}", failure.getMessage());
              return Optional.empty();
            }
            Map<String, Long> byWorker = new HashMap<>();
            for (int i = 0; i < workerIds.size(); i++) {
              byWorker.put(workerIds.get(i), counts.get(i));
            }
            return Optional.of(byWorker);
          });
    } catch (RedisException e) {
      LOG.debug("cannot read in-flight charges: {}", e.getMessage());
      return CompletableFuture.completedFuture(Optional.empty());
    }
  }

  /** One request charged to a worker. Closing it more than once releases it once. */
  final class Charge implements AutoCloseable {

    private final String key;
    private final String member;
    private boolean released;

    private Charge(String key, String member) {
      this.key = key;
      this.member = member;
    }

    @Override
    public synchronized void close() {
      if (released || key == null) {
        return;
      }
      released = true;
      // Fire and forget: if it is lost, the lease expires the charge.
      redis.async().zrem(key, member);
    }
  }
}
