package dev.silkroute.billing.usage;

import dev.silkroute.billing.ledger.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

/**
 * Sends records billing cannot use to the DLQ topic with their original key, value and headers,
 * plus the reason and where they came from, and waits until Kafka has them.
 */
final class DeadLetters implements AutoCloseable {

  static final String REASON_HEADER = "silkroute-dlq-reason";
  static final String SOURCE_HEADER = "silkroute-dlq-source";
  private static final long ACK_TIMEOUT_SECONDS = 30;

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  DeadLetters(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  record Letter(ConsumerRecord<byte[], byte[]> record, Verdict.Rejected rejection) {
  }

  /**
   * Hands the letters to the producer without waiting. Called on the poll thread in poll order,
   * so the DLQ keeps the order of the source partition even when batches are written by several
   * threads; {@link #awaitAcks} is then called by the batch's writer before its offsets count.
   */
  List<Future<RecordMetadata>> post(List<Letter> letters) {
    List<Future<RecordMetadata>> acks = new ArrayList<>(letters.size());
    for (Letter letter : letters) {
      ConsumerRecord<byte[], byte[]> r = letter.record();
      ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(topic, null, r.key(), r.value());
      for (Header h : r.headers()) {
        out.headers().add(h);
      }
      out.headers().add(REASON_HEADER, letter.rejection().reason().getBytes(StandardCharsets.UTF_8));
      out.headers().add(SOURCE_HEADER,
          (r.topic() + "/" + r.partition() + "/" + r.offset()).getBytes(StandardCharsets.UTF_8));
      try {
        acks.add(producer.send(out));
      } catch (RuntimeException e) {
        // Reported by awaitAcks, on the writer, like any other failed send: the batch is retried.
        acks.add(CompletableFuture.failedFuture(e));
      }
    }
    return acks;
  }

  /** Waits until Kafka has every letter; the batch must not be committed otherwise. */
  void awaitAcks(List<Future<RecordMetadata>> acks) {
    try {
      for (Future<RecordMetadata> ack : acks) {
        ack.get(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new DeadLetterUnavailableException(topic, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeadLetterUnavailableException(topic, e);
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** The DLQ topic did not take a record; the batch must be retried, not committed. */
  static final class DeadLetterUnavailableException extends RuntimeException {
    DeadLetterUnavailableException(String topic, Exception cause) {
      super("could not dead-letter to " + topic + ": " + cause, cause);
    }
  }
}
