package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one {@link UsageEvent} per request to Kafka, keyed by customer so a customer's events
 * stay in order.
 *
 * <p>{@link #publish} only puts the event on a queue: it runs on request threads (event loops
 * among them) and never waits for Kafka or the disk. One publisher thread takes events off the
 * queue and hands them to the Kafka producer, or, while Kafka is away, appends them to the
 * {@link UsageSpool} (one fsync per batch). Events Kafka fails to deliver come back from its I/O
 * thread to the publisher thread, which spools them too: the spool has one writer, and no request
 * thread ever waits on its fsync. While Kafka is away the publisher asks it again every few
 * seconds with the oldest spooled event; once Kafka acknowledges, the spool is replayed.
 *
 * <p>The queue's capacity is enforced at admission: {@link #acceptsRequests()} turns false when the
 * queue holds that many events or the spool is full, so the router refuses new requests (503)
 * rather than serve them unbilled. An event of a request already served is always taken, even past
 * the capacity, since dropping it would lose money; the overshoot is bounded by the requests in
 * flight when admission closed.
 *
 * <p>Nothing accepted is lost: an event is on the queue, in the producer until Kafka acknowledges
 * it, or in the spool. {@link #close()} drains the queue, gives Kafka a bounded time for what is in
 * flight and spools whatever it did not take, to be replayed at the next start.
 *
 * <p>A crash of the process (kill -9) must not lose an event either: {@link #publish} also writes
 * it to the {@link UsageJournal} (a plain write, no fsync: it survives the process, not the host)
 * before the answer's last byte, and it stays there until Kafka acknowledged it or the spool holds
 * it. At start-up, what a previous run left in the journal moves into the spool, to be replayed.
 */
public final class UsagePublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UsagePublisher.class);
  /** Events the router may hold before it refuses requests: seconds of traffic at thousands/s. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** How often Kafka is asked again while it is away. */
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
  /** The most events written to the spool with one fsync. */
  private static final int BATCH = 512;
  /**
   * How long the publisher lets events gather after sending a batch: half the producer's linger
   * (UsageProducer), so a batch still leaves within about one linger of its first event. At 2 ms
   * this thread woke for every other request at 1,000 requests/s and cost 22 µs of CPU per request;
   * at 10 ms, 11 µs (docs/benchmarks/router.md).
   */
  private static final long GATHER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final UsageSpool spool;
  private final List<UsageObserver> observers;
  private final UsageJournal journal;
  /** Event id -> its journal entry, until Kafka acknowledged the event or the spool holds it. */
  private final ConcurrentHashMap<String, UsageJournal.Entry> journaled = new ConcurrentHashMap<>();
  private final int queueCapacity;
  private final LinkedBlockingDeque<UsageEvent> queue = new LinkedBlockingDeque<>();
  /** Events Kafka did not deliver, handed back by its I/O thread for the publisher thread to spool. */
  private final Queue<UsageEvent> undelivered = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean replayRequested = new AtomicBoolean(true); // spooled before a restart
  private final AtomicBoolean probing = new AtomicBoolean();
  private final Thread thread;
  private volatile boolean kafkaAway;
  private volatile boolean spoolFailing;
  private volatile boolean closing;
  private volatile boolean closed;
  private long nextProbeNanos; // publisher thread only

  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool) {
    this(producer, topic, spool, List.of());
  }

  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool,
                        List<UsageObserver> observers) {
    this(producer, topic, spool, observers, DEFAULT_QUEUE_CAPACITY, UsageJournal.NONE);
  }

  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool,
                        List<UsageObserver> observers, int queueCapacity) {
    this(producer, topic, spool, observers, queueCapacity, UsageJournal.NONE);
  }

  /**
   * Starts the publisher thread, which first replays what an earlier run left in the spool.
   *
   * @param queueCapacity events waiting for the publisher thread beyond which requests are refused
   * @param journal       where each event waits, on local disk, until Kafka acknowledged it or the
   *                      spool holds it; what a previous run left there moves into the spool now
   */
  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool,
                        List<UsageObserver> observers, int queueCapacity, UsageJournal journal) {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("usage queue capacity must be at least 1, got " + queueCapacity);
    }
    this.producer = producer;
    this.topic = topic;
    this.spool = spool;
    this.observers = List.copyOf(observers);
    this.queueCapacity = queueCapacity;
    this.journal = journal;
    journal.recoverInto(spool); // before the publisher thread's first replay
    this.thread = new Thread(this::run, "usage-publisher");
    thread.setDaemon(true); // close() drains it; a JVM that exits without close() must not hang on it
    thread.start();
  }

  /** Takes the event of a finished request. Never blocks and never refuses: the request was served. */
  public void publish(UsageEvent event) {
    observers.forEach(observer -> observer.published(event));
    UsageJournal.Entry entry = journal.write(event);
    if (entry != null) {
      journaled.put(event.getEventId(), entry);
    }
    if (closed) {
      // Only during shutdown, once the publisher thread has gone: the spool is the one safe place.
      LOG.warn("usage event {} published after close; spooling it", event.getEventId());
      spool.append(event);
      return;
    }
    queue.add(event);
  }

  /** Asks the publisher thread to send every spooled event again (periodically, and at start-up). */
  public void requestReplay() {
    replayRequested.set(true);
  }

  /**
   * False while an event could not be recorded: the queue is at capacity (the publisher thread is
   * behind), or the spool is full or failing. A request served now could not be billed, so it must be
   * refused. Reads counters only; never waits.
   */
  public boolean acceptsRequests() {
    return queue.size() < queueCapacity && !spool.full() && !spoolFailing;
  }

  /** Events waiting for the publisher thread. */
  public int queuedEvents() {
    return queue.size();
  }

  /** Bytes waiting in the spool for Kafka. */
  public long spoolBytes() {
    return spool.bytes();
  }

  private void run() {
    List<UsageEvent> batch = new ArrayList<>(BATCH);
    while (!closing || !queue.isEmpty()) {
      try {
        spoolUndelivered();
        if (replayRequested.getAndSet(false) && !kafkaAway) {
          replay(); // while Kafka is away, the probe asks for the replay once it answers
        } else if (kafkaAway && System.nanoTime() - nextProbeNanos >= 0) {
          probe();
        }
        UsageEvent first = queue.poll(50, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, BATCH - 1);
          sendOrSpool(batch);
          batch.clear();
          if (!closing) {
            // Let the next events gather instead of waking up for each one: at thousands of requests
            // a second, one wake-up per request was a visible share of the router's CPU. Kafka's
            // own linger is longer; the journal already holds every event, so nothing waits on this.
            LockSupport.parkNanos(GATHER_NANOS);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break; // close() spools what is left
      } catch (SpoolFailure e) {
        // The disk refused: keep the events at the head of the queue, where admission sees them.
        for (int i = batch.size() - 1; i >= 0; i--) {
          queue.addFirst(batch.get(i));
        }
        batch.clear();
        LOG.error("cannot spool usage events; retrying in 1 s, requests refused meanwhile", e.getCause());
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    try {
      spoolUndelivered();
    } catch (SpoolFailure e) {
      LOG.error("cannot spool usage events Kafka did not take", e.getCause());
    }
  }

  /** Hands the events to Kafka in order; once Kafka turns out to be away, the rest go to the spool. */
  private void sendOrSpool(List<UsageEvent> events) {
    for (int i = 0; i < events.size(); i++) {
      if (kafkaAway) {
        toSpool(events.subList(i, events.size()), "Kafka is away");
        return;
      }
      send(events.get(i));
    }
  }

  private void send(UsageEvent event) {
    long handedOver = System.nanoTime();
    try {
      producer.send(record(event), (meta, error) -> {
        if (error != null) {
          away(error);
          undelivered.add(event);
        } else {
          settledInJournal(event);
          long nanos = System.nanoTime() - handedOver;
          observers.forEach(observer -> observer.delivered(nanos));
        }
      });
    } catch (KafkaException e) {
      away(e); // e.g. metadata not available within max.block.ms
      toSpool(List.of(event), e.toString());
    }
  }

  private void replay() {
    List<UsageEvent> events;
    try {
      events = spool.drain();
    } catch (RuntimeException e) {
      LOG.error("cannot read the usage spool {}; it stays for the next replay", spool.file(), e);
      return;
    }
    if (!events.isEmpty()) {
      LOG.info("replaying {} spooled usage events", events.size());
      try {
        sendOrSpool(events); // already observed when first published
      } catch (SpoolFailure e) {
        undelivered.addAll(events); // out of the spool file already: keep them; a duplicate is harmless
        throw e;
      }
    }
  }

  /**
   * Sends the oldest spooled event alone, without waiting for the answer; its acknowledgement ends
   * the outage and brings the rest of the spool along. A duplicate is harmless: billing writes one
   * ledger row per event id.
   */
  private void probe() {
    nextProbeNanos = System.nanoTime() + PROBE_INTERVAL.toNanos();
    if (!probing.compareAndSet(false, true)) {
      return; // the previous probe has not been answered yet
    }
    Optional<UsageEvent> oldest = spool.oldest();
    if (oldest.isEmpty()) {
      probing.set(false);
      if (spool.bytes() > 0) {
        replay(); // unreadable head: a replay sets the damage aside
      } else {
        kafkaAway = false; // nothing waits; the next event is the probe
      }
      return;
    }
    try {
      producer.send(record(oldest.get()), (meta, error) -> {
        probing.set(false);
        if (error == null) {
          LOG.info("Kafka takes usage events again; replaying the spool");
          kafkaAway = false;
          replayRequested.set(true);
        }
      });
    } catch (KafkaException e) {
      probing.set(false);
    }
  }

  private void away(Exception cause) {
    if (!kafkaAway) {
      LOG.warn("Kafka does not take usage events ({}); spooling them to {} until it does", cause.toString(),
          spool.file());
      kafkaAway = true;
      nextProbeNanos = System.nanoTime() + PROBE_INTERVAL.toNanos();
    }
  }

  private void spoolUndelivered() {
    List<UsageEvent> events = new ArrayList<>();
    for (UsageEvent event; (event = undelivered.poll()) != null; ) {
      events.add(event);
    }
    if (!events.isEmpty()) {
      try {
        toSpool(events, "not delivered");
      } catch (SpoolFailure e) {
        undelivered.addAll(events); // next round
        throw e;
      }
    }
  }

  private void toSpool(List<UsageEvent> events, String why) {
    try {
      spool.appendAll(events);
      spoolFailing = false;
    } catch (RuntimeException e) {
      spoolFailing = true;
      throw new SpoolFailure(e);
    }
    for (UsageEvent event : events) {
      settledInJournal(event);
      observers.forEach(observer -> observer.spooled(event));
    }
    LOG.debug("spooled {} usage events ({})", events.size(), why);
  }

  /** Kafka acknowledged the event, or the spool holds it: the journal may let it go. */
  private void settledInJournal(UsageEvent event) {
    UsageJournal.Entry entry = journaled.remove(event.getEventId());
    if (entry != null) {
      journal.acknowledged(entry);
    }
  }

  private ProducerRecord<String, byte[]> record(UsageEvent event) {
    return new ProducerRecord<>(topic, event.getCustomerId(), event.toByteArray());
  }

  /**
   * Stops publishing: the publisher thread drains the queue, Kafka gets a bounded time for what is
   * in flight, and whatever it did not take lands in the spool, to be replayed at the next start.
   */
  @Override
  public void close() {
    closing = true;
    if (!publisherEnded(CLOSE_TIMEOUT)) {
      LOG.error("the usage publisher did not drain its queue within {}; spooling the rest", CLOSE_TIMEOUT);
      thread.interrupt();
      publisherEnded(Duration.ofSeconds(5));
    }
    // Failing what it could not send, the producer hands those events to undelivered.
    producer.close(Duration.ofSeconds(5));
    closed = true;
    // The publisher thread has gone: this thread is the spool's only writer now.
    List<UsageEvent> queued = new ArrayList<>();
    queue.drainTo(queued);
    undelivered.addAll(queued);
    int rest = undelivered.size();
    try {
      spoolUndelivered();
    } catch (SpoolFailure e) {
      throw (RuntimeException) e.getCause();
    }
    if (rest > 0) {
      LOG.info("spooled {} usage events at shutdown", rest);
    }
    journal.close();
  }

  private boolean publisherEnded(Duration within) {
    try {
      thread.join(within.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  /** The spool could not be written; the events stay with the publisher. */
  private static final class SpoolFailure extends RuntimeException {
    SpoolFailure(RuntimeException cause) {
      super(cause);
    }
  }
}
