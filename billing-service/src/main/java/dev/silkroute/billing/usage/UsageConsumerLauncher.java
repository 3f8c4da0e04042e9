package dev.silkroute.billing.usage;

import dev.silkroute.billing.account.RedisConfig;
import dev.silkroute.billing.ledger.Ledger;
import dev.silkroute.billing.ledger.UsageEventRules;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Micronaut glue: builds the Kafka clients, runs {@link UsageConsumer} on its thread, stops it. */
@Singleton
@Requires(property = "silkroute.usage.enabled", notEquals = "false")
public final class UsageConsumerLauncher {

  private static final Logger LOG = LoggerFactory.getLogger(UsageConsumerLauncher.class);
  private static final long STOP_TIMEOUT_MILLIS = 30_000;

  private final UsageConsumerConfig config;
  private final String bootstrapServers;
  private final Ledger ledger;
  private final UsageMetrics metrics;
  private final ConsumerHealth health;
  private final MeterRegistry registry;
  private UsageConsumer consumer;
  private Thread thread;
  private final StatefulRedisConnection<String, String> redis;
  private final RedisConfig redisConfig;

  UsageConsumerLauncher(UsageConsumerConfig config, KafkaConfig kafka, Ledger ledger, MeterRegistry registry,
      Clock clock, StatefulRedisConnection<String, String> redis, RedisConfig redisConfig) {
    this.redis = redis;
    this.redisConfig = redisConfig;
    this.config = config;
    this.bootstrapServers = kafka.bootstrapServers();
    this.ledger = ledger;
    this.metrics = new UsageMetrics(registry);
    this.registry = registry;
    this.health = new ConsumerHealth(clock, config.unhealthyAfterFailures());
  }

  @EventListener
  synchronized void onStartup(StartupEvent event) {
    if (thread != null) {
      return;
    }
    Admin admin = Admin.create(adminProperties());
    KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumerProperties(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
    // The client's own metrics, consumer lag among them (kafka_consumer_fetch_manager_records_lag_max).
    new KafkaClientMetrics(kafka).bindTo(registry);
    consumer = new UsageConsumer(config, kafka,
        new UsageTopics(admin, config, bootstrapServers),
        new DeadLetters(new KafkaProducer<>(producerProperties(), new ByteArraySerializer(),
            new ByteArraySerializer()), config.dlqTopic()),
        new UsageEventRules(), ledger, new CreditHoldSettler(redis, redisConfig.keys()), metrics, health);
    thread = new Thread(() -> {
      try {
        consumer.run();
      } finally {
        admin.close();
      }
    }, "silkroute-usage-consumer");
    thread.start();
    LOG.info("Consuming {} from {} as group {}", config.topic(), bootstrapServers,
        config.groupId());
  }

  public ConsumerHealth health() {
    return health;
  }

  @PreDestroy
  synchronized void stop() throws InterruptedException {
    if (thread == null) {
      return;
    }
    consumer.stop();
    thread.join(STOP_TIMEOUT_MILLIS);
    if (thread.isAlive()) {
      LOG.warn("Usage consumer did not stop within {} ms", STOP_TIMEOUT_MILLIS);
    }
  }

  private Properties consumerProperties() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // A new group must bill everything still on the topic; the ledger ignores what it has.
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
    // A full batch (max-poll-records of ~250-byte events) should come from one fetch round;
    // Kafka's 1 MiB per partition would cut a 10,000-record batch short on 3 partitions.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 * 1024 * 1024);
    // Only events the router's (transactional or idempotent) producer completed.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "silkroute-billing-usage");
    // A billing instance that died (kill -9, lost host) holds its partitions until its session
    // expires; 10 s instead of Kafka's 45 s lets a replacement resume billing sooner.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    return p;
  }

  private Properties producerProperties() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 25_000);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "silkroute-billing-dlq");
    return p;
  }

  private Properties adminProperties() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "silkroute-billing-admin");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
    return p;
  }
}
