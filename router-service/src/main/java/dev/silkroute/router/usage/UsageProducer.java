package dev.silkroute.router.usage;

import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The Kafka producer usage events leave the router through, configured for money, not speed. */
public final class UsageProducer {

  private UsageProducer() {
  }

  public static Producer<String, byte[]> create(String bootstrapServers, String clientId) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    // Usage is money: every event is written to all in-sync replicas, exactly once per send.
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    // Events wait up to 20 ms to share a batch: billing reads them seconds later anyway, and a
    // produce request per few ms costs the router more CPU than the rest of a request's bookkeeping.
    config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
    // No client telemetry pushed to the broker (KIP-714): nobody reads it, and it is polled on every send loop.
    config.put(ProducerConfig.ENABLE_METRICS_PUSH_CONFIG, false);
    // The publisher thread never waits long for a missing broker: the event goes to the spool instead.
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
    config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
  }
}
