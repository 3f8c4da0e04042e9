package dev.silkroute.billing.usage;

import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.ledger.LedgerEntry;
import dev.silkroute.billing.ledger.LedgerUnavailableException;
import dev.silkroute.billing.ledger.LedgerWrite;
import dev.silkroute.billing.ledger.UsageEventRules;
import dev.silkroute.billing.ledger.Verdict;
import dev.silkroute.billing.usage.DeadLetters.DeadLetterUnavailableException;
import dev.silkroute.billing.usage.DeadLetters.Letter;
import dev.silkroute.billing.usage.UsageTopics.TopicsUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop, on its own thread. Per poll batch: dead-letter what the rules reject, write
 * the rest to the ledger in one transaction, then commit the offsets. When the DLQ or the
 * database fails nothing is committed: the consumer seeks back to the start of the batch, waits
 * (exponential back-off) and tries again, so no event is lost and none is charged twice.
 */
final class UsageConsumer implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(UsageConsumer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final UsageConsumerConfig config;
  private final Consumer<byte[], byte[]> consumer;
  private final UsageTopics topics;
  private final DeadLetters deadLetters;
  private final UsageEventRules rules;
  private final Ledger ledger;
  private final UsageMetrics metrics;
  private final ConsumerHealth health;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Duration backoff;

  UsageConsumer(UsageConsumerConfig config, Consumer<byte[], byte[]> consumer, UsageTopics topics,
      DeadLetters deadLetters, UsageEventRules rules, Ledger ledger, UsageMetrics metrics,
      ConsumerHealth health) {
    this.config = config;
    this.consumer = consumer;
    this.topics = topics;
    this.deadLetters = deadLetters;
    this.rules = rules;
    this.ledger = ledger;
    this.metrics = metrics;
    this.health = health;
    this.backoff = config.retryBackoff();
  }

  @Override
  public void run() {
    health.started();
    try {
      createTopics();
      consumer.subscribe(List.of(config.topic()));
      health.subscribed();
      while (!stopping()) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
        if (!records.isEmpty()) {
          handle(records);
        }
      }
    } catch (WakeupException e) {
      if (!stopping()) {
        health.died(e);
        throw e;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      // Not swallowed: recorded for /health, logged, and the thread ends with it.
      LOG.error("Usage consumer died; usage events are no longer recorded", e);
      health.died(e);
      throw e;
    } finally {
      health.stopped();
      consumer.close(CLOSE_TIMEOUT);
      deadLetters.close();
    }
  }

  /** Ends the loop: interrupts a blocking poll, commit or topic creation, and any back-off wait. */
  void stop() {
    stopRequested.countDown();
    consumer.wakeup();
    topics.abort();
  }

  private boolean stopping() {
    return stopRequested.getCount() == 0;
  }

  private void createTopics() throws InterruptedException {
    while (!stopping()) {
      try {
        topics.ensureExist();
        return;
      } catch (TopicsUnavailableException e) {
        if (stopping()) {
          return;
        }
        health.batchFailed(e);
        LOG.warn("Kafka not ready ({}); retrying in {}", e.getMessage(), backoff);
        waitBeforeRetry();
      }
    }
  }

  private void handle(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
    long started = System.nanoTime();
    List<LedgerEntry> entries = new ArrayList<>(records.count());
    List<Letter> letters = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      Verdict verdict = rules.judge(r.value(),
          new LedgerEntry.Source(r.topic(), r.partition(), r.offset()));
      if (verdict instanceof Verdict.Accepted accepted) {
        entries.add(accepted.entry());
      } else if (verdict instanceof Verdict.Rejected rejected) {
        letters.add(new Letter(r, rejected));
      }
    }
    LedgerWrite write;
    try {
      deadLetters.send(letters);
      write = ledger.record(entries);
    } catch (LedgerUnavailableException | DeadLetterUnavailableException e) {
      metrics.failedBatches().record(Duration.ofNanos(System.nanoTime() - started));
      health.batchFailed(e);
      LOG.warn("Could not record {} usage records, retrying in {}: {}",
          records.count(), backoff, e.getMessage());
      rewind(records);
      waitBeforeRetry();
      return;
    }
    commit(records);
    for (Letter letter : letters) {
      LOG.warn("Dead-lettered {}/{}/{}: {}", letter.record().topic(), letter.record().partition(),
          letter.record().offset(), letter.rejection().reason());
      metrics.deadLettered(letter.rejection().kind());
    }
    metrics.recorded(write.recorded());
    metrics.duplicates(write.duplicates());
    metrics.committedBatches().record(Duration.ofNanos(System.nanoTime() - started));
    health.batchCommitted();
    backoff = config.retryBackoff();
  }

  private void commit(ConsumerRecords<byte[], byte[]> records) {
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
      next.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
    }
    try {
      consumer.commitSync(next);
    } catch (CommitFailedException | RebalanceInProgressException | TimeoutException e) {
      // The ledger already has these events; whoever reads them again records nothing twice.
      LOG.info("Offsets not committed ({}); the batch may be re-read, which is harmless",
          e.toString());
    }
  }

  /** Seeks back to the first record of the batch in each partition, so the retry re-reads it. */
  private void rewind(ConsumerRecords<byte[], byte[]> records) {
    for (TopicPartition tp : records.partitions()) {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, records.records(tp).get(0).offset());
      }
    }
  }

  private void waitBeforeRetry() throws InterruptedException {
    stopRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(config.maxRetryBackoff()) > 0 ? config.maxRetryBackoff() : doubled;
  }
}
