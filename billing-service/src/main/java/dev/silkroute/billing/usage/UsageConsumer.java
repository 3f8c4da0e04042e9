package dev.silkroute.billing.usage;

import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.ledger.LedgerBatch;
import dev.silkroute.billing.ledger.LedgerEntry;
import dev.silkroute.billing.ledger.LedgerUnavailableException;
import dev.silkroute.billing.ledger.LedgerWrite;
import dev.silkroute.billing.ledger.UsageEventRules;
import dev.silkroute.billing.ledger.Verdict;
import dev.silkroute.billing.usage.DeadLetters.DeadLetterUnavailableException;
import dev.silkroute.billing.usage.DeadLetters.Letter;
import dev.silkroute.billing.usage.UsageTopics.TopicsUnavailableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop, a pipeline of two stages. The poll thread (the only one that touches the
 * KafkaConsumer) fetches a batch, judges it (dead letters / ledger entries), renders it as COPY
 * input and hands its dead letters to the producer (in poll order, so the DLQ keeps the
 * partition's order), then hands it to one of {@code writers} threads, which waits for the DLQ
 * acks and writes it to the ledger in one transaction; meanwhile the poll thread fetches and prepares the
 * next batch. At most {@code writers + 1} batches are in flight, so memory stays bounded.
 *
 * <p>Offsets are committed by the poll thread, strictly in poll order and only for batches whose
 * transaction has committed: a batch that finishes early waits for those polled before it. When
 * a batch fails (database or DLQ down) nothing from it on is committed: the consumer waits for
 * the batches still in flight, seeks every partition back to the first record not yet
 * committed, waits (exponential back-off) and tries again. Batches after the failed one that did
 * reach the ledger are then read twice, which the ledger ignores. So no event is lost and none
 * is charged twice.
 */
final class UsageConsumer implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(UsageConsumer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  // While batches are in flight the poll must come back soon to commit the finished ones.
  private static final Duration IN_FLIGHT_POLL_TIMEOUT = Duration.ofMillis(20);
  private static final long WRITERS_STOP_SECONDS = 30;

  private final UsageConsumerConfig config;
  private final Consumer<byte[], byte[]> consumer;
  private final UsageTopics topics;
  private final DeadLetters deadLetters;
  private final UsageEventRules rules;
  private final Ledger ledger;
  private final CreditHoldSettler holds;
  private final UsageMetrics metrics;
  private final ConsumerHealth health;
  private final ExecutorService writers;
  private final Deque<InFlight> inFlight = new ArrayDeque<>();
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private Duration backoff;

  UsageConsumer(UsageConsumerConfig config, Consumer<byte[], byte[]> consumer, UsageTopics topics,
      DeadLetters deadLetters, UsageEventRules rules, Ledger ledger, CreditHoldSettler holds,
      UsageMetrics metrics, ConsumerHealth health) {
    this.config = config;
    this.consumer = consumer;
    this.topics = topics;
    this.deadLetters = deadLetters;
    this.rules = rules;
    this.ledger = ledger;
    this.holds = holds;
    this.metrics = metrics;
    this.health = health;
    this.backoff = config.retryBackoff();
    AtomicInteger number = new AtomicInteger();
    this.writers = Executors.newFixedThreadPool(config.writers(), task -> {
      Thread t = new Thread(task, "silkroute-usage-writer-" + number.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** A batch handed to a writer: what to commit once it is in the ledger, what to rewind if not. */
  private record InFlight(Map<TopicPartition, Long> firstOffsets,
      Map<TopicPartition, OffsetAndMetadata> nextOffsets, int records, List<Letter> letters,
      long startedNanos, Future<LedgerWrite> write) {
  }

  @Override
  public void run() {
    health.started();
    try {
      createTopics();
      consumer.subscribe(List.of(config.topic()), new Rebalance());
      health.subscribed();
      while (!stopping()) {
        if (inFlight.size() > config.writers()) {
          // Bounded hand-off: wait for the oldest batch before fetching another.
          settle(true);
          continue;
        }
        ConsumerRecords<byte[], byte[]> records =
            consumer.poll(inFlight.isEmpty() ? config.pollTimeout() : IN_FLIGHT_POLL_TIMEOUT);
        if (!records.isEmpty()) {
          dispatch(records);
        }
        settle(false);
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
      finishInFlight();
      writers.shutdownNow();
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

  /** Judges and renders the batch on this thread, then hands the database work to a writer. */
  private void dispatch(ConsumerRecords<byte[], byte[]> records) {
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
    LedgerBatch batch = ledger.prepare(entries);
    Map<TopicPartition, Long> first = new HashMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
    for (TopicPartition tp : records.partitions()) {
      List<ConsumerRecord<byte[], byte[]>> part = records.records(tp);
      first.put(tp, part.get(0).offset());
      next.put(tp, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
    }
    List<Future<RecordMetadata>> deadLetterAcks = deadLetters.post(letters);
    Future<LedgerWrite> write = writers.submit(() -> {
      deadLetters.awaitAcks(deadLetterAcks);
      LedgerWrite written = ledger.record(batch);
      // After the commit: a hold settled from an event the ledger then lost would be charged in
      // Redis with no ledger row.
      metrics.holdsSettled(holds.settle(entries));
      return written;
    });
    inFlight.addLast(new InFlight(first, next, records.count(), letters, started, write));
  }

  /**
   * Commits the offsets of the finished batches at the head of the queue (in poll order); with
   * {@code waitForHead}, first waits for the oldest batch. A failed batch starts the recovery.
   */
  private void settle(boolean waitForHead) throws InterruptedException {
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    while (!inFlight.isEmpty() && (waitForHead || inFlight.peekFirst().write().isDone())) {
      waitForHead = false;
      InFlight head = inFlight.peekFirst();
      Outcome outcome = outcome(head);
      if (outcome.failure() != null) {
        commit(done);
        recover(head, outcome.failure());
        waitBeforeRetry();
        return;
      }
      inFlight.removeFirst();
      done.putAll(head.nextOffsets());
      recorded(head, outcome.write());
    }
    commit(done);
  }

  /** A finished batch: what the ledger made of it, or why it is not in the ledger. */
  private record Outcome(LedgerWrite write, RuntimeException failure) {
  }

  /** Waits for the batch. */
  private Outcome outcome(InFlight batch) throws InterruptedException {
    try {
      return new Outcome(batch.write().get(), null);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof LedgerUnavailableException
          || cause instanceof DeadLetterUnavailableException) {
        return new Outcome(null, (RuntimeException) cause);
      }
      if (cause instanceof Error error) {
        throw error;
      }
      // A bug, not an outage: end the consumer as the single-threaded loop did.
      throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
    }
  }

  private void recorded(InFlight batch, LedgerWrite write) {
    for (Letter letter : batch.letters()) {
      LOG.warn("Dead-lettered {}/{}/{}: {}", letter.record().topic(), letter.record().partition(),
          letter.record().offset(), letter.rejection().reason());
      metrics.deadLettered(letter.rejection().kind());
    }
    metrics.recorded(write.recorded());
    metrics.duplicates(write.duplicates());
    metrics.committedBatches().record(Duration.ofNanos(System.nanoTime() - batch.startedNanos()));
    health.batchCommitted();
    backoff = config.retryBackoff();
  }

  /**
   * The failed batch and everything polled after it are read again: waits for the writers still
   * busy (so no two transactions ever hold the same records), then seeks each partition back to
   * the first offset not committed.
   */
  private void recover(InFlight failed, RuntimeException failure) throws InterruptedException {
    metrics.failedBatches().record(Duration.ofNanos(System.nanoTime() - failed.startedNanos()));
    health.batchFailed(failure);
    LOG.warn("Could not record {} usage records, retrying in {}: {}", failed.records(), backoff,
        failure.getMessage());
    Map<TopicPartition, Long> rewindTo = new HashMap<>();
    for (InFlight batch : inFlight) {
      awaitQuietly(batch.write());
      batch.firstOffsets().forEach((tp, offset) -> rewindTo.merge(tp, offset, Math::min));
    }
    inFlight.clear();
    rewindTo.forEach((tp, offset) -> {
      if (consumer.assignment().contains(tp)) {
        consumer.seek(tp, offset);
      }
    });
  }

  private static void awaitQuietly(Future<LedgerWrite> write) throws InterruptedException {
    try {
      write.get();
    } catch (ExecutionException e) {
      // Its records are re-read anyway; the head's failure is the one reported.
    }
  }

  /** On a rebalance or at stop: lets the writers finish and commits what reached the ledger. */
  private void finishInFlight() {
    try {
      while (!inFlight.isEmpty()) {
        InFlight head = inFlight.peekFirst();
        Outcome outcome = outcome(head);
        if (outcome.failure() != null) {
          recover(head, outcome.failure());
          return;
        }
        inFlight.removeFirst();
        recorded(head, outcome.write());
        commit(head.nextOffsets());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Uncommitted offsets are only re-read, and the ledger ignores what it already has.
      LOG.warn("Could not finish the batches in flight: {}", e.toString());
      inFlight.clear();
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(offsets);
    } catch (CommitFailedException | RebalanceInProgressException | TimeoutException e) {
      // The ledger already has these events; whoever reads them again records nothing twice.
      LOG.info("Offsets not committed ({}); the batch may be re-read, which is harmless",
          e.toString());
    }
  }

  private void waitBeforeRetry() throws InterruptedException {
    stopRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS);
    Duration doubled = backoff.multipliedBy(2);
    backoff = doubled.compareTo(config.maxRetryBackoff()) > 0 ? config.maxRetryBackoff() : doubled;
  }

  /** Called inside poll, on the poll thread. */
  private final class Rebalance implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Commit while the partitions are still ours, so the next owner starts after them.
      finishInFlight();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Too late to commit; let the writers finish so nothing of ours is still writing.
      try {
        for (InFlight batch : inFlight) {
          awaitQuietly(batch.write());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight.clear();
    }
  }
}
