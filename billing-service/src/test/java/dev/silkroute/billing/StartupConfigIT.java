package dev.silkroute.billing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micronaut.context.ApplicationContext;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A bad configuration value stops start-up with a message that names the property. */
class StartupConfigIT {

  private static void assertStartupFails(String property, String value, String expected) {
    Map<String, Object> p = new HashMap<>(BillingTestProperties.withoutKafka("config"));
    p.put(property, value);
    assertThatThrownBy(() -> {
      try (ApplicationContext context = ApplicationContext.run(p)) {
        context.getBean(BillingConfiguration.class);
      }
    }).hasStackTraceContaining(expected);
  }

  @Test
  void refusesToStartWithANonNumericPartitionCount() {
    assertStartupFails("silkroute.usage.partitions", "lots",
        "Invalid configuration silkroute.usage.partitions='lots': not a number");
  }

  @Test
  void refusesToStartWithAPartitionCountOutOfRange() {
    assertStartupFails("silkroute.usage.partitions", "0",
        "Invalid configuration silkroute.usage.partitions=0: must be between 1 and 1000");
  }

  @Test
  void refusesToStartWithAnUnreadableOrInconsistentDuration() {
    assertStartupFails("silkroute.usage.poll-timeout", "soon",
        "Invalid configuration silkroute.usage.poll-timeout='soon': not a duration");
    assertStartupFails("silkroute.usage.retry-backoff", "30s", "silkroute.usage.max-retry-backoff");
  }

  @Test
  void refusesToStartWithAFlagThatIsNeitherTrueNorFalse() {
    assertStartupFails("silkroute.usage.enabled", "ture", "Invalid configuration silkroute.usage.enabled='ture'");
  }

  @Test
  void refusesToStartWithAShortAdminToken() {
    assertStartupFails("silkroute.admin-token", "short", "silkroute.admin-token");
  }

  @Test
  void refusesToStartWithABadRedisUri() {
    assertStartupFails("silkroute.redis.uri", "localhost:6379",
        "Invalid configuration silkroute.redis.uri=localhost:6379");
  }
}
