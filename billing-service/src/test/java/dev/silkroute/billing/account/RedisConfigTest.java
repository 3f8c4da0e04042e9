package dev.silkroute.billing.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.billing.InvalidSettingException;
import org.junit.jupiter.api.Test;

class RedisConfigTest {

  @Test
  void takesARedisDirectlyOrBehindSentinelsNamingTheMaster() {
    assertThat(new RedisConfig("redis://127.0.0.1:6379", "silkroute:").uri()).startsWith("redis://");
    assertThat(new RedisConfig("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#silkroute", "silkroute:").uri())
        .endsWith("#silkroute");
  }

  @Test
  void refusesASentinelUriWithoutItsMasterAndAnAddressWithoutScheme() {
    assertThatThrownBy(() -> new RedisConfig("redis-sentinel://10.0.0.1:26379", "silkroute:"))
        .isInstanceOf(InvalidSettingException.class).hasMessageContaining("silkroute.redis.uri");
    assertThatThrownBy(() -> new RedisConfig("localhost:6379", "silkroute:"))
        .isInstanceOf(InvalidSettingException.class);
  }
}
