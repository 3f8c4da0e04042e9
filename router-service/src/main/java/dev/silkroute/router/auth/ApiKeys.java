package dev.silkroute.router.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.BearerToken;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import io.lettuce.core.api.async.RedisHashAsyncCommands;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Looks API keys up in Redis by their SHA-256 ({@link ApiKeyHash}), as billing-service mirrors them
 * from PostgreSQL into {@link RedisKeys#apiKey} hashes ({@link ApiKeyRecord}). The key itself is never
 * stored, logged or sent anywhere.
 *
 * <p>Active keys are kept in memory for a short while, so that a request does not pay a Redis round
 * trip to learn what the previous one learnt. Billing announces every change of a key's hash
 * ({@link ApiKeyChanges}), which evicts it at once; the time to live only bounds how long a change
 * that was never announced (a lost subscription, a hand edit) can go unseen. A key in use is read
 * again in the background once half its time to live has passed, so it never expires under its
 * requests: without that, every few seconds each busy key's next requests all waited for Redis
 * (one read each, on Lettuce's thread and back). While the announcements cannot be heard, nothing
 * is cached.
 */
public final class ApiKeys {

  private final RedisHashAsyncCommands<String, String> redis;
  private final RedisKeys redisKeys;
  private final Cache<String, Cached> active;
  private final long refreshAfterNanos;
  // Bumped by every eviction: a lookup that raced with one must not cache what it read before it.
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicBoolean hearingChanges = new AtomicBoolean();

  /** Without a cache: every lookup reads Redis. */
  public ApiKeys(RedisHashAsyncCommands<String, String> redis, String keyPrefix) {
    this(redis, keyPrefix, Duration.ZERO, 0);
  }

  public ApiKeys(RedisHashAsyncCommands<String, String> redis, String keyPrefix, Duration timeToLive,
                 long maxKeys) {
    this.redis = redis;
    this.redisKeys = new RedisKeys(keyPrefix);
    this.active = timeToLive.isZero() || maxKeys <= 0 ? null
        : Caffeine.newBuilder().expireAfterWrite(timeToLive).maximumSize(maxKeys).build();
    this.refreshAfterNanos = timeToLive.toNanos() / 2;
  }

  /** A key as last read, and whether a read to replace it is under way. */
  private record Cached(Caller caller, long readAt, AtomicBoolean refreshing) {

    Cached(Caller caller) {
      this(caller, System.nanoTime(), new AtomicBoolean());
    }
  }

  /**
   * The key an {@code Authorization} header presents: its Bearer token, or the whole value (some
   * clients send the bare key); empty for no header.
   */
  public static String presentedKey(String authorization) {
    return authorization == null ? "" : BearerToken.of(authorization).orElse(authorization.trim());
  }

  /**
   * The key presented by Anthropic's {@code x-api-key} header, which its SDKs send, or else by the
   * {@code Authorization} header (gateway clients of Anthropic's API send a Bearer token); empty for
   * neither.
   */
  public static String presentedKey(String authorization, String xApiKey) {
    return xApiKey != null && !xApiKey.isBlank() ? xApiKey.trim() : presentedKey(authorization);
  }

  /**
   * The caller whose key the {@code Authorization} header presents, as {@link #authenticateAsync}
   * finds it; fails with a 401 {@link RouterException} for a missing, unknown or revoked key.
   */
  public CompletableFuture<Caller> callerAsync(String authorization) {
    return callerFor(presentedKey(authorization), "Send it as 'Authorization: Bearer sk-...'");
  }

  /** {@link #callerAsync(String)} for a key in {@code x-api-key} or {@code Authorization}. */
  public CompletableFuture<Caller> callerAsync(String authorization, String xApiKey) {
    return callerFor(presentedKey(authorization, xApiKey), "Send it as 'x-api-key: sk-...'");
  }

  private CompletableFuture<Caller> callerFor(String key, String howToSend) {
    if (key.isEmpty()) {
      return CompletableFuture.failedFuture(new RouterException(RouterError.unauthorized(
          "You didn't provide an API key. " + howToSend)));
    }
    return authenticateAsync(key).thenApply(caller -> caller
        .orElseThrow(() -> new RouterException(RouterError.unauthorized("Incorrect or revoked API key provided"))));
  }

  /** {@link #authenticateAsync}, waited for: for callers on a thread that may block (gRPC, admin endpoints). */
  public Optional<Caller> authenticate(String bearerToken) {
    try {
      return authenticateAsync(bearerToken).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  /**
   * The caller the bearer token belongs to, if it is an active key. A cached key answers at once, on
   * the calling thread; a key read from Redis completes on Lettuce's I/O thread, so a caller with more
   * than a few steps to take hands them to its own executor.
   */
  public CompletableFuture<Optional<Caller>> authenticateAsync(String bearerToken) {
    if (bearerToken == null || !bearerToken.startsWith("sk-") || bearerToken.length() > 200) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String hash = ApiKeyHash.sha256Hex(bearerToken);
    if (active != null) {
      Cached cached = active.getIfPresent(hash);
      if (cached != null) {
        if (System.nanoTime() - cached.readAt() > refreshAfterNanos && cached.refreshing().compareAndSet(false, true)) {
          read(hash); // replaces or drops the entry; a failure leaves it to expire
        }
        return CompletableFuture.completedFuture(Optional.of(cached.caller()));
      }
    }
    return read(hash);
  }

  private CompletableFuture<Optional<Caller>> read(String hash) {
    long evictionsBefore = evictions.get();
    boolean mayCache = hearingChanges.get();
    return redis.hgetall(redisKeys.apiKey(hash)).toCompletableFuture()
        .thenApply(entry -> caller(hash, entry, evictionsBefore, mayCache));
  }

  private Optional<Caller> caller(String hash, Map<String, String> entry, long evictionsBefore, boolean mayCache) {
    Optional<ApiKeyRecord> record = ApiKeyRecord.fromHash(entry).filter(ApiKeyRecord::active);
    if (record.isEmpty()) {
      if (active != null) {
        active.invalidate(hash); // what a background read found revoked or gone
      }
      return Optional.empty();
    }
    Caller caller = new Caller(record.get().customerId(), record.get().keyId(), record.get().limits());
    if (active != null && mayCache && hearingChanges.get()) {
      active.put(hash, new Cached(caller));
      // An eviction that arrived while the entry was read or put may concern it: drop it to be sure.
      if (evictions.get() != evictionsBefore) {
        active.invalidate(hash);
      }
    }
    return Optional.of(caller);
  }

  /** Billing changed the key with this SHA-256 (created, revoked, limits edited): forget it. */
  public void changed(String sha256Hex) {
    evictions.incrementAndGet();
    if (active != null) {
      active.invalidate(sha256Hex);
    }
  }

  /** Every key may have changed (billing rebuilt the mirror, or announcements were missed). */
  public void allChanged() {
    evictions.incrementAndGet();
    if (active != null) {
      active.invalidateAll();
    }
  }

  /**
   * Whether changes are being announced to this router now. Caching starts only once they are, and
   * stops, with everything cached forgotten, as soon as they may not be.
   */
  public void hearingChanges(boolean hearing) {
    if (hearingChanges.getAndSet(hearing) != hearing) {
      allChanged();
    }
  }
}
