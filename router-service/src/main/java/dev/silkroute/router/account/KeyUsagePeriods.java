package dev.silkroute.router.account;

import dev.silkroute.proto.v1.UsageEvent;
import dev.silkroute.router.usage.UsageObserver;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What each key was charged in the current UTC day, week (from Monday) and month, for OpenRouter's
 * {@code usage_daily}, {@code usage_weekly} and {@code usage_monthly} on {@code GET /key}. Counted
 * from the usage events every request ends with (the charges billing books, as they are published),
 * into one Redis counter per key and period that expires after its period; so they cover the
 * traffic since this router version first ran, and unlike the key's total spend they do not hold
 * in-flight requests.
 */
public final class KeyUsagePeriods implements UsageObserver {

  /** The charges of one key in micro-USD, per period. */
  public record Periods(long dayMicros, long weekMicros, long monthMicros) {
  }

  private final RedisAsyncCommands<String, String> redis;
  private final String keyPrefix;
  private final Clock clock;

  public KeyUsagePeriods(RedisAsyncCommands<String, String> redis, String keyPrefix, Clock clock) {
    this.redis = redis;
    this.keyPrefix = keyPrefix;
    this.clock = clock;
  }

  @Override
  public void published(UsageEvent event) {
    if (event.getPriceMicros() <= 0 || event.getKeyId().isEmpty()) {
      return;
    }
    List<String> names = names(event.getKeyId());
    // Each counter outlives its period by a day, so a read at the boundary still finds it.
    List<Duration> lives = List.of(Duration.ofDays(2), Duration.ofDays(8), Duration.ofDays(32));
    for (int i = 0; i < names.size(); i++) {
      redis.incrby(names.get(i), event.getPriceMicros());
      redis.expire(names.get(i), lives.get(i));
    }
  }

  /** The key's charges in the current periods; 0 for a period without any. */
  public CompletableFuture<Periods> of(String keyId) {
    List<String> names = names(keyId);
    return redis.mget(names.toArray(String[]::new)).toCompletableFuture().thenApply(values -> new Periods(
        micros(values.get(0).getValueOrElse(null)), micros(values.get(1).getValueOrElse(null)),
        micros(values.get(2).getValueOrElse(null))));
  }

  private List<String> names(String keyId) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    String base = keyPrefix + "key_usage:" + keyId + ":";
    return List.of(base + "d:" + today,
        base + "w:" + today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)),
        base + "m:" + today.withDayOfMonth(1));
  }

  private static long micros(String value) {
    if (value == null) {
      return 0;
    }
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalStateException("a key usage counter in Redis is not an integer: " + value, e);
    }
  }
}
