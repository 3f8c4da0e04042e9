package dev.silkroute.router.account;

import dev.silkroute.contracts.ApiKeyRecord;
import dev.silkroute.contracts.RedisKeys;
import dev.silkroute.router.core.ErrorKind;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import dev.silkroute.router.core.Caller;
import io.lettuce.core.KeyValue;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a caller has spent and may still spend, read from the Redis values admission reserves against
 * and billing credits: the same figures that decide whether the next request is admitted, so a client
 * that checks {@code /key} or {@code /credits} first is told what the router will do. In-flight
 * requests count at their reserved worst case until they settle.
 */
public final class Standing {

  /** The customer's credit: ever granted, and used (granted - balance) in micro-USD. */
  public record Credits(long grantedMicros, long usedMicros) {
  }

  /** One key: its label as billing mirrors it (none when it has none), and what was spent through it. */
  public record Key(Optional<String> label, long spentMicros) {
  }

  private final RedisAsyncCommands<String, String> redis;
  private final RedisKeys keys;

  public Standing(RedisAsyncCommands<String, String> redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /**
   * The customer's credits. Neither value in Redis: nothing was ever granted. Only one: billing has
   * not seeded the other yet (an older billing, or Redis emptied): a 503 rather than a made-up total.
   */
  public CompletableFuture<Credits> credits(Caller caller) {
    return redis.mget(keys.creditGranted(caller.customerId()), keys.balance(caller.customerId()))
        .toCompletableFuture().thenApply(values -> credits(caller, values));
  }

  private static Credits credits(Caller caller, List<KeyValue<String, String>> values) {
    Long granted = number(values.get(0));
    Long balance = number(values.get(1));
    if (granted == null && balance == null) {
      return new Credits(0, 0);
    }
    if (granted == null || balance == null) {
      throw new RouterException(new RouterError(ErrorKind.UNAVAILABLE, "The credit totals of this account are not loaded yet; try again shortly", null, "credits_not_loaded",
          Map.of("customer_id", caller.customerId())));
    }
    return new Credits(granted, granted - balance);
  }

  /**
   * The caller's key, whose SHA-256 hex is {@code keyHash}: its label from its hash and its spend; a
   * key that never served a request has spent 0.
   */
  public CompletableFuture<Key> key(Caller caller, String keyHash) {
    CompletableFuture<String> label = redis.hget(keys.apiKey(keyHash), ApiKeyRecord.LABEL).toCompletableFuture();
    CompletableFuture<String> spent = redis.get(keys.keySpend(caller.keyId())).toCompletableFuture();
    return label.thenCombine(spent, (name, micros) -> new Key(Optional.ofNullable(name),
        micros == null ? 0L : parse(micros)));
  }

  private static Long number(KeyValue<String, String> value) {
    return value.hasValue() ? parse(value.getValue()) : null;
  }

  private static Long parse(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("a credit value in Redis is not an integer: " + value, e);
    }
  }
}
