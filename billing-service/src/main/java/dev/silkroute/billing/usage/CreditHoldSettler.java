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
   * throws, and waits at most {@link #TIMEOUT}: what Redis did not settle is logged once for the batch
   * and left to the reaper. While Redis is unreachable nothing is sent (Lettuce would queue it).
   */
  int settle(List<LedgerEntry> entries) {
    List<LedgerEntry> held = entries.stream().filter(entry -> !entry.hedgeLoss()).toList();
    if (held.isEmpty()) {
      return 0;
    }
    if (!redis.isOpen()) {
      LOG.warn("Redis is unreachable: {} credit holds are left to the reaper", held.size());
      return 0;
    }
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    Outcome outcome = send(held, deadline);
    if (!outcome.unknownScript().isEmpty()) {
      // Redis restarted or was flushed: load the script once, then send those again together.
      Outcome again;
      try {
        redis.sync().scriptLoad(CreditHolds.SETTLE);
        again = send(outcome.unknownScript(), deadline);
      } catch (RuntimeException e) {
        again = new Outcome(0, List.of(), outcome.unknownScript().size(), e);
      }
      outcome = new Outcome(outcome.settled() + again.settled(), again.unknownScript(),
          outcome.failed() + again.failed() + again.unknownScript().size(),
          outcome.firstFailure() != null ? outcome.firstFailure() : again.firstFailure());
    }
    if (outcome.failed() > 0) {
      LOG.warn("Could not settle {} of {} credit holds; they are given back at their due time",
          outcome.failed(), held.size(), outcome.firstFailure());
    }
    return outcome.settled();
  }

  /** One pipelined round: how many holds it settled, those Redis had no script for, the rest that failed. */
  private record Outcome(int settled, List<LedgerEntry> unknownScript, int failed, Throwable firstFailure) {
  }

  private Outcome send(List<LedgerEntry> entries, long deadline) {
    RedisAsyncCommands<String, String> async = redis.async();
    List<RedisFuture<Long>> replies = new ArrayList<>(entries.size());
    int settled = 0;
    int failed = 0;
    Throwable firstFailure = null;
    List<LedgerEntry> unknownScript = new ArrayList<>();
    try {
      for (LedgerEntry entry : entries) {
        replies.add(async.evalsha(sha, ScriptOutputType.INTEGER, keys, args(entry)));
      }
    } catch (RuntimeException e) {
      failed += entries.size() - replies.size();
      firstFailure = e;
    }
    for (int i = 0; i < replies.size(); i++) {
      RedisFuture<Long> reply = replies.get(i);
      try {
        settled += reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) > 0 ? 1 : 0;
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RedisNoScriptException) {
          unknownScript.add(entries.get(i));
        } else {
          failed++;
          firstFailure = firstFailure != null ? firstFailure : e.getCause();
        }
      } catch (TimeoutException e) {
        reply.cancel(true); // not left queued in Lettuce once this batch has given up on it
        failed++;
        firstFailure = firstFailure != null ? firstFailure : e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        replies.subList(i, replies.size()).forEach(pending -> pending.cancel(true));
        return new Outcome(settled, List.of(), failed + replies.size() - i, e);
      }
    }
    return new Outcome(settled, unknownScript, failed, firstFailure);
  }

  private static String[] args(LedgerEntry entry) {
    return new String[] {entry.eventId(), Long.toString(entry.priceMicros()),
        Long.toString(entry.promptTokens() + entry.completionTokens())};
  }
}
