package dev.silkroute.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.silkroute.contracts.RedisKeys;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
  private static WorkerConfig read(Map<String, String> properties) {
    return new ConfigReader(name -> Optional.ofNullable(properties.get(name))).read();
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
        "silkroute.worker.price-per-gpu-hour-micros", "1_900_000",
        "silkroute.worker.simulated.max-batch", "12",
        "silkroute.worker.models", "zhipu/glm-4.6, moonshotai/kimi-k2"));

    assertThat(config.gpu().gpuType()).isEqualTo("A100");
    assertThat(config.gpu().pricePerGpuHourMicros()).isEqualTo(1_900_000);
    assertThat(config.gpu().decodeTokensPerSecond()).isEqualTo(40);
    assertThat(config.maxRunning()).isEqualTo(12);
    assertThat(config.models()).containsExactly("zhipu/glm-4.6", "moonshotai/kimi-k2");
  }

  @Test
  void failsNamingThePropertyAndTheBadValue() {
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.max-running", "0")))
        .hasMessageContaining("silkroute.worker.max-running").hasMessageContaining("'0'");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.engine", "tensorrt")))
        .hasMessageContaining("silkroute.worker.engine").hasMessageContaining("tensorrt");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.engine", "openai-compatible")))
        .hasMessageContaining("silkroute.worker.openai-compatible.url");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.gpu-type", "MI300X")))
        .hasMessageContaining("silkroute.worker.simulated.prefill-tokens-per-second").hasMessageContaining("MI300X");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.heartbeat.ttl", "1s")))
        .hasMessageContaining("silkroute.worker.heartbeat.ttl");
    assertThatThrownBy(() -> read(Map.of("silkroute.worker.models", "gpt4")))
        .hasMessageContaining("silkroute.worker.models").hasMessageContaining("gpt4");
  }
}
