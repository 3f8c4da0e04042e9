package dev.silkroute.billing.usage;

import dev.silkroute.billing.ledger.LedgerEntry;
import dev.silkroute.contracts.CreditHolds;
import dev.silkroute.contracts.RedisKeys;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles, from the ledger, the credit holds of the requests a batch recorded ({@link CreditHolds}).
 * The router settles its requests itself at once; this settles those it could not (it died after
 * publishing the usage event, or Redis did not answer its retries), with the event's price and
 * tokens, which are what the router would have settled with. For every other request the hold is
 * gone and the script changes nothing. A failure here never fails the batch: the ledger is the
 * truth, and the hold is still given back at its due time.
 */
final class CreditHoldSettler {

  private static final Logger LOG = LoggerFactory.getLogger(CreditHoldSettler.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final StatefulRedisConnection<String, String> redis;
  private final String[] keys;
  private final String sha;

  CreditHoldSettler(StatefulRedisConnection<String, String> redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = new String[] {keys.creditHolds()};
    this.sha = redis.sync().digest(CreditHolds.SETTLE);
  }

  /**
   * Settles each entry's hold (hedge losses have none); returns how many were still held. Never
   * throws: what Redis did not settle is logged and left to the reaper.
   */
  int settle(List<LedgerEntry> entries) {
    List<LedgerEntry> sent = new ArrayList<>(entries.size());
    List<RedisFuture<Long>> replies = new ArrayList<>(entries.size());
    try {
      RedisAsyncCommands<String, String> async = redis.async();
      for (LedgerEntry entry : entries) {
        if (!entry.hedgeLoss()) {
          replies.add(async.evalsha(sha, ScriptOutputType.INTEGER, keys, args(entry)));
          sent.add(entry);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Could not send the settlements of {} credit holds; they are given back at their due time",
          entries.size() - sent.size(), e);
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    int held = 0;
    for (int i = 0; i < replies.size(); i++) {
      try {
        held += reply(replies.get(i), sent.get(i), deadline) > 0 ? 1 : 0;
      } catch (RuntimeException | ExecutionException | TimeoutException e) {
        LOG.warn("Could not settle the credit hold of {}; it is given back at its due time",
            sent.get(i).eventId(), e instanceof ExecutionException ? e.getCause() : e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return held;
      }
    }
    return held;
  }

  /** The script's answer; Redis forgot the script (restart, flush): sent in full once more. */
  private long reply(RedisFuture<Long> reply, LedgerEntry entry, long deadline)
      throws ExecutionException, TimeoutException, InterruptedException {
    try {
      return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RedisNoScriptException) {
        return redis.sync().eval(CreditHolds.SETTLE, ScriptOutputType.INTEGER, keys, args(entry));
      }
      throw e;
    }
  }

  private static String[] args(LedgerEntry entry) {
    return new String[] {entry.eventId(), Long.toString(entry.priceMicros()),
        Long.toString(entry.promptTokens() + entry.completionTokens())};
  }
}
