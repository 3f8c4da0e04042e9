package dev.silkroute.router.usage;

import dev.silkroute.proto.v1.UsageEvent;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes one {@link UsageEvent} per request to Kafka, keyed by customer so a customer's events
 * stay in order. What Kafka refuses or cannot take in time goes to the {@link UsageSpool} and is
 * replayed by {@link #replaySpool()}, at start-up and periodically. Until Kafka acknowledged it, each
 * event is also in the {@link UsageJournal}, so a crash of the router loses none.
 */
public final class UsagePublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UsagePublisher.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final UsageSpool spool;
  private final List<UsageObserver> observers;
  private final UsageJournal journal;

  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool) {
    this(producer, topic, spool, List.of(), UsageJournal.NONE);
  }

  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool,
                        List<UsageObserver> observers) {
    this(producer, topic, spool, observers, UsageJournal.NONE);
  }

  /**
   * @param journal where each event waits, on local disk, until Kafka acknowledged it; what a
   *                previous run left there is moved into the spool now, to be replayed
   */
  public UsagePublisher(Producer<String, byte[]> producer, String topic, UsageSpool spool,
                        List<UsageObserver> observers, UsageJournal journal) {
    this.producer = producer;
    this.topic = topic;
    this.spool = spool;
    this.observers = List.copyOf(observers);
    this.journal = journal;
    journal.recoverInto(spool);
  }

  public void publish(UsageEvent event) {
    observers.forEach(observer -> observer.published(event));
    send(event);
  }

  /**
   * Journals the event (so a crash of this process cannot lose it), then hands it to the producer.
   * Keyed by customer id: the default partitioner hashes the key, so one customer's events share a
   * partition and billing reads them in the order they were published, whichever router sent them.
   */
  private void send(UsageEvent event) {
    long handedOver = System.nanoTime();
    UsageJournal.Entry journaled = journal.write(event);
    try {
      producer.send(new ProducerRecord<>(topic, event.getCustomerId(), event.toByteArray()), (meta, error) -> {
        if (error != null) {
          toSpool(event, error);
        } else {
          long nanos = System.nanoTime() - handedOver;
          observers.forEach(observer -> observer.delivered(nanos));
        }
        journal.acknowledged(journaled);
      });
    } catch (KafkaException e) {
      toSpool(event, e); // e.g. metadata not available within max.block.ms
      journal.acknowledged(journaled);
    }
  }

  /** Sends every spooled event again; returns how many were taken from the spool. */
  public int replaySpool() {
    List<UsageEvent> events = spool.drain();
    events.forEach(this::send); // already observed when first published
    if (!events.isEmpty()) {
      LOG.info("replayed {} spooled usage events", events.size());
    }
    return events.size();
  }

  /**
   * False while the spool is full: a request served now could not be billed, so it must be refused.
   */
  public boolean acceptsRequests() {
    return !spool.full();
  }

  /** Bytes waiting in the spool for Kafka. */
  public long spoolBytes() {
    return spool.bytes();
  }

  private void toSpool(UsageEvent event, Exception cause) {
    observers.forEach(observer -> observer.spooled(event));
    LOG.warn("Kafka did not take usage event {} ({}); spooled to {}", event.getEventId(), cause.toString(),
        spool.file());
    spool.append(event);
  }

  /**
   * Stops publishing. Waits a bounded time for Kafka to take what is in flight; whatever it does
   * not take fails its send and lands in the spool, to be replayed at the next start.
   */
  @Override
  public void close() {
    producer.close(java.time.Duration.ofSeconds(5));
    journal.close();
  }
}
