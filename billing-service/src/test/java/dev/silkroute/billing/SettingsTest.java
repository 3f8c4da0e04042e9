package dev.silkroute.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.billing.Settings.InvalidSettingException;
import dev.silkroute.billing.account.RedisConfig;
import dev.silkroute.billing.admin.AdminConfig;
import dev.silkroute.billing.usage.UsageConsumerConfig;
import dev.silkroute.contracts.RedisKeys;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static Settings settings(Map<String, String> values) {
    return new Settings(name -> Optional.ofNullable(values.get(name)));
  }

  @Test
  void usesDefaultsForAbsentValues() {
    Settings s = settings(Map.of());

    assertThat(s.text("a", "x")).isEqualTo("x");
    assertThat(s.integer("b", 3, 1, 10)).isEqualTo(3);
    assertThat(s.flag("c", true)).isTrue();
    assertThat(s.duration("d", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1)))
        .isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void parsesShortAndIsoDurations() {
    Settings s = settings(Map.of("a", "250ms", "b", "2s", "c", "1m", "d", "PT3S"));
    Duration max = Duration.ofHours(1);

    assertThat(s.duration("a", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofMillis(250));
    assertThat(s.duration("b", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.duration("c", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofMinutes(1));
    assertThat(s.duration("d", Duration.ZERO, Duration.ZERO, max)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void namesThePropertyAndValueOfABadSetting() {
    Settings s = settings(Map.of("silkroute.usage.partitions", "lots",
        "silkroute.usage.max-poll-records", "0", "silkroute.usage.poll-timeout", "soon",
        "silkroute.usage.enabled", "yes", "silkroute.admin-token", " "));

    assertThatThrownBy(() -> s.integer("silkroute.usage.partitions", 3, 1, 1000))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("Invalid configuration silkroute.usage.partitions=lots: must be an integer");
    assertThatThrownBy(() -> s.integer("silkroute.usage.max-poll-records", 500, 1, 10_000))
        .hasMessage("Invalid configuration silkroute.usage.max-poll-records=0: must be between 1 and 10000");
    assertThatThrownBy(() -> s.duration("silkroute.usage.poll-timeout", Duration.ofSeconds(1),
        Duration.ZERO, Duration.ofMinutes(1)))
        .hasMessageStartingWith("Invalid configuration silkroute.usage.poll-timeout=soon");
    assertThatThrownBy(() -> s.flag("silkroute.usage.enabled", true))
        .hasMessageStartingWith("Invalid configuration silkroute.usage.enabled=yes");
    assertThatThrownBy(() -> s.text("silkroute.admin-token", "dev-admin-token"))
        .hasMessageContaining("silkroute.admin-token").hasMessageContaining("must not be blank");
  }

  @Test
  void rejectsInconsistentUsageSettings() {
    assertThatThrownBy(() -> usage("t", "t", Duration.ofSeconds(1), Duration.ofSeconds(5)))
        .hasMessageContaining("silkroute.usage.dlq-topic");
    assertThatThrownBy(() -> usage("t", "d", Duration.ofSeconds(10), Duration.ofSeconds(5)))
        .hasMessageContaining("silkroute.usage.retry-backoff");
  }

  private static UsageConsumerConfig usage(String topic, String dlq, Duration backoff,
      Duration maxBackoff) {
    return new UsageConsumerConfig(true, "localhost:9092", topic, dlq, "g", 3, (short) 1, 500, 2,
        Duration.ofMillis(500), backoff, maxBackoff, 3);
  }

  @Test
  void rejectsABadRedisUriOrPrefix() {
    assertThatThrownBy(() -> new RedisConfig("localhost:6379", RedisKeys.DEFAULT_PREFIX))
        .hasMessageContaining("silkroute.redis.uri=localhost:6379");
    assertThatThrownBy(() -> new RedisConfig("redis://localhost", "silk route:"))
        .hasMessageContaining("silkroute.redis.key-prefix");
    assertThat(new RedisConfig("redis://localhost:6379", "t1:").keys()).isEqualTo(new RedisKeys("t1:"));
  }

  @Test
  void rejectsAShortAdminTokenWithoutPrintingIt() {
    assertThatThrownBy(() -> new AdminConfig("secret"))
        .hasMessageContaining("silkroute.admin-token")
        .hasMessageNotContaining("secret");
    assertThat(new AdminConfig("dev-admin-token").toString()).doesNotContain("dev-admin-token");
  }
}
