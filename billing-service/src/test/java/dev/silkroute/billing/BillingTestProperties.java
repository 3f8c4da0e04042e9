package dev.silkroute.billing;

import dev.silkroute.testkit.Infra;
import dev.silkroute.testkit.PostgresInstance;
import java.util.HashMap;
import java.util.Map;

/**
 * Properties that point one billing application at real Kafka, Redis and PostgreSQL, isolated
 * from every other test: its own database, topics, consumer group and Redis key prefix.
 */
public final class BillingTestProperties {

  private BillingTestProperties() {
  }

  /** With the usage consumer on, against the shared test Kafka. */
  public static Map<String, String> isolated(String name) {
    Map<String, String> p = withoutKafka(name);
    p.put("silkroute.usage.enabled", "true");
    p.put("silkroute.kafka.bootstrap-servers", Infra.kafka().bootstrapServers());
    p.put("silkroute.usage.topic", Infra.uniqueName("usage-" + name));
    p.put("silkroute.usage.dlq-topic", Infra.uniqueName("usage-dlq-" + name));
    p.put("silkroute.usage.group-id", Infra.uniqueName("billing-" + name));
    p.put("silkroute.usage.poll-timeout", "100ms");
    p.put("silkroute.usage.retry-backoff", "100ms");
    p.put("silkroute.usage.max-retry-backoff", "500ms");
    return p;
  }

  /** Admin API only: the usage consumer is off. */
  public static Map<String, String> withoutKafka(String name) {
    PostgresInstance postgres = Infra.postgres();
    Map<String, String> p = new HashMap<>();
    p.put("micronaut.server.port", "-1");
    p.put("datasources.default.url", postgres.newDatabase("billing_" + name));
    p.put("datasources.default.username", postgres.username());
    p.put("datasources.default.password", postgres.password());
    p.put("silkroute.admin-token", AdminHttp.TOKEN);
    p.put("silkroute.redis.uri", Infra.redis().uri());
    p.put("silkroute.redis.key-prefix", Infra.uniqueName("it-" + name) + ":");
    p.put("silkroute.usage.enabled", "false");
    return p;
  }
}
