package dev.silkroute.billing.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.testkit.Infra;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** The usage topic on a real broker: created when missing, grown when it has fewer partitions than configured. */
class UsageTopicsIT {

  @Test
  void shouldGrowAnExistingUsageTopicToTheConfiguredPartitions() throws Exception {
    String topic = Infra.kafka().createTopic(Infra.uniqueName("usage-grow"), 3);
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, Infra.kafka().bootstrapServers()))) {
      new UsageTopics(admin, config(topic, 12), Infra.kafka().bootstrapServers()).ensureExist();
      assertThat(partitions(admin, topic)).isEqualTo(12);

      // Never shrinks.
      new UsageTopics(admin, config(topic, 6), Infra.kafka().bootstrapServers()).ensureExist();
      assertThat(partitions(admin, topic)).isEqualTo(12);
      assertThat(admin.listTopics().names().get()).contains(topic + ".dlq");
    }
  }

  private static int partitions(Admin admin, String topic) throws Exception {
    return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
  }

  private static UsageConsumerConfig config(String topic, int partitions) {
    return new UsageConsumerConfig(true, topic, topic + ".dlq", "grow", partitions, (short) 1, 100, 1,
        Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(1), 3);
  }
}
