package dev.silkroute.worker.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.WorkerStatus;
import org.junit.jupiter.api.Test;

class WorkerStatusJsonTest {
  private final ObjectMapper mapper = new ObjectMapper();
  private final WorkerStatusJson json = new WorkerStatusJson(mapper);

  static WorkerStatus sample() {
    return WorkerStatus.newBuilder().setWorkerId("worker-a").setAddress("gpu-1:9091")
        .addModels("qwen/qwen3-32b").addModels("deepseek/deepseek-chat-v3").setGpuType("H100")
        .setPricePerGpuHourMicros(2_500_000).setRunning(3).setQueued(1).setMaxRunning(64).setMaxQueued(64)
        .setKvCacheUse(0.25).setTokensPerSecond(812.0).setEstimatedTtftMs(140).setDraining(false)
        .setReportedAtMs(1_763_900_000_000L).build();
  }

  @Test
  void writesEveryFieldUnderItsProtoJsonNameWithNumbersAsNumbers() throws Exception {
    JsonNode node = mapper.readTree(json.write(sample()));

    assertThat(node.get("workerId").asText()).isEqualTo("worker-a");
    assertThat(node.get("models")).hasSize(2);
    assertThat(node.get("pricePerGpuHourMicros").isIntegralNumber()).isTrue();
    assertThat(node.get("pricePerGpuHourMicros").asLong()).isEqualTo(2_500_000);
    assertThat(node.get("kvCacheUse").asDouble()).isEqualTo(0.25);
    assertThat(node.get("draining").isBoolean()).isTrue(); // defaults are written too
    assertThat(node.size()).isEqualTo(WorkerStatus.getDescriptor().getFields().size());
  }

  @Test
  void readsBackWhatItWrote() {
    assertThat(json.read(json.write(sample()))).isEqualTo(sample());
  }

  @Test
  void readsBackPrefixHashesOfEverySign() {
    WorkerStatus withPrefixes = sample().toBuilder().addPrefixHashes(-7_293_413_239_472_337_581L)
        .addPrefixHashes(Long.MAX_VALUE).addPrefixHashes(Long.MIN_VALUE).setPrefillTokensPerSecond(10_000).build();

    assertThat(json.read(json.write(withPrefixes))).isEqualTo(withPrefixes);
  }
}
