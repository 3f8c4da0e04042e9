package dev.silkroute.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.contracts.RedisKeys;
import io.micronaut.context.ApplicationContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's settings as Micronaut binds them (application.yml, then these properties), and their checks. */
class WorkerSettingsTest {
  private static WorkerConfig read(Map<String, Object> properties) {
    try (ApplicationContext context = ApplicationContext.run(properties)) {
      return WorkerConfigs.of(context.getBean(WorkerSettings.class), context.getBean(SimulatedGpuSettings.class),
          context.getBean(HeartbeatSettings.class), context.getBean(OpenAiCompatibleSettings.class),
          context.getBean(RedisSettings.class));
    }
  }

  @Test
  void defaultsToASimulatedH100ServingTwoModels() {
    WorkerConfig config = read(Map.of());

    assertThat(config.grpcPort()).isEqualTo(9091);
    assertThat(config.workerId()).startsWith("worker-");
    assertThat(config.models()).containsExactly("deepseek/deepseek-chat-v3", "qwen/qwen3-32b");
    assertThat(config.engine()).isEqualTo(WorkerConfig.EngineType.SIMULATED);
    assertThat(config.gpu().gpuType()).isEqualTo("H100");
    assertThat(config.gpu().pricePerGpuHourMicros()).isEqualTo(2_500_000);
    assertThat(config.maxRunning()).isEqualTo(64);
    assertThat(config.maxQueued()).isEqualTo(64);
    assertThat(config.heartbeat().ttl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.heartbeat().keyPrefix()).isEqualTo(RedisKeys.DEFAULT_PREFIX);
  }

  @Test
  void overridesTheProfileFigureByFigure() {
    WorkerConfig config = read(Map.of("silkroute.worker.gpu-type", "a100",
        "silkroute.worker.price-per-gpu-hour-micros", "1900000",
        "silkroute.worker.simulated.max-batch", "12",
        "silkroute.worker.models", "zhipu/glm-4.6, moonshotai/kimi-k2"));

    assertThat(config.gpu().gpuType()).isEqualTo("A100");
    assertThat(config.gpu().pricePerGpuHourMicros()).isEqualTo(1_900_000);
    assertThat(config.gpu().decodeTokensPerSecond()).isEqualTo(40);
    assertThat(config.maxRunning()).isEqualTo(12);
    assertThat(config.models()).containsExactly("zhipu/glm-4.6", "moonshotai/kimi-k2");
  }

  @Test
  void takesARedisBehindSentinelsNamingTheMaster() {
    WorkerConfig config = read(Map.of("silkroute.redis.uri", "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#silkroute"));

    assertThat(config.heartbeat().redisUri().getFragment()).isEqualTo("silkroute");
    assertThatThrownBy(() -> read(Map.of("silkroute.redis.uri", "redis-sentinel://10.0.0.1:26379")))
        .hasStackTraceContaining("silkroute.redis.uri").hasStackTraceContaining("#master");
  }

  @Test
  void failsNamingThePropertyAndTheBadValue() {
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.max-running", "0")))
        .hasStackTraceContaining("silkroute.worker.max-running").hasStackTraceContaining("'0'");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.engine", "tensorrt")))
        .hasStackTraceContaining("silkroute.worker.engine").hasStackTraceContaining("tensorrt");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.engine", "openai-compatible")))
        .hasStackTraceContaining("silkroute.worker.openai-compatible.url");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.gpu-type", "MI300X")))
        .hasStackTraceContaining("silkroute.worker.simulated.prefill-tokens-per-second").hasStackTraceContaining("MI300X");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.heartbeat.ttl", "1s")))
        .hasStackTraceContaining("silkroute.worker.heartbeat.ttl");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.models", "gpt4")))
        .hasStackTraceContaining("silkroute.worker.models").hasStackTraceContaining("gpt4");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.grpc-port", "70000")))
        .hasStackTraceContaining("silkroute.worker.grpc-port").hasStackTraceContaining("70000");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.simulated.max-batch", "-3")))
        .hasStackTraceContaining("silkroute.worker.simulated.max-batch").hasStackTraceContaining("-3");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.drain-timeout", "soon")))
        .hasStackTraceContaining("silkroute.worker.drain-timeout").hasStackTraceContaining("soon");
  }

  @Test
  void takesAModelListFromYamlOrACommaSeparatedEnvironmentVariable() {
    assertThat(read(Map.of("silkroute.worker.models", java.util.List.of("zhipu/glm-4.6", "qwen/qwen3-32b"))).models())
        .containsExactly("zhipu/glm-4.6", "qwen/qwen3-32b");
    assertThat(read(Map.of("silkroute.worker.models", "zhipu/glm-4.6,qwen/qwen3-32b")).models())
        .containsExactly("zhipu/glm-4.6", "qwen/qwen3-32b");
  }
}
