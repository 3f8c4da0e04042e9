package dev.silkroute.providersim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimConfigTest {

  @Test
  void readsProvidersWithPartialKnobsFromYaml() {
    SimConfig config = SimConfig.fromYaml("""
        port: 9999
        providers:
          - name: deepseek
            models: [deepseek-chat]
            knobs: { ttft_ms: 200, error_rate: 0.1 }
          - name: anthropic
            protocol: anthropic
        """);

    assertThat(config.port()).isEqualTo(9999);
    ProviderConfig deepseek = config.providers().get(0);
    assertThat(deepseek.protocol()).isEqualTo(Protocol.OPENAI);
    assertThat(deepseek.models()).containsExactly("deepseek-chat");
    assertThat(deepseek.knobs()).isEqualTo(Knobs.builder().ttftMs(200).errorRate(0.1).build());
    assertThat(config.providers().get(1).protocol()).isEqualTo(Protocol.ANTHROPIC);
    assertThat(config.providers().get(1).knobs()).isEqualTo(Knobs.defaults());
  }

  @Test
  void bundledDefaultsHaveOpenAiAndAnthropicProviders() {
    SimConfig defaults = SimConfig.defaults();

    assertThat(defaults.providers()).extracting(ProviderConfig::name)
        .contains("deepseek", "alibaba", "together", "fireworks", "openai", "anthropic");
    assertThat(defaults.providers()).filteredOn(p -> p.name().equals("anthropic"))
        .extracting(ProviderConfig::protocol).containsExactly(Protocol.ANTHROPIC);
  }

  @Test
  void rejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> SimConfig.fromYaml("providers: [{name: a, knobs: {rate_limit_rate: 2}}]"))
        .hasMessageContaining("rate_limit_rate").hasMessageContaining("2.0");
    assertThatThrownBy(() -> SimConfig.fromYaml("providers: [{name: a}, {name: a}]"))
        .hasMessageContaining("'a' is configured twice");
    assertThatThrownBy(() -> SimConfig.fromYaml("providers: [{name: Bad/Name}]"))
        .hasMessageContaining("Bad/Name");
    assertThatThrownBy(() -> SimConfig.fromYaml("providers: [{name: a, protocol: grpc}]"))
        .hasMessageContaining("grpc");
    assertThatThrownBy(() -> SimConfig.fromYaml("providers: [{name: a, knobs: {ttft: 5}}]"))
        .hasMessageContaining("ttft");
  }

  @Test
  void knobsBuilderRejectsBadValuesNamingThem() {
    assertThatThrownBy(() -> Knobs.builder().errorRate(-0.1).build()).hasMessageContaining("error_rate");
    assertThatThrownBy(() -> Knobs.builder().streamCutAfterTokens(-2).build())
        .hasMessageContaining("stream_cut_after_tokens");
    assertThatThrownBy(() -> Knobs.builder().tokensPerSecond(Double.NaN).build())
        .hasMessageContaining("tokens_per_second");
  }
}
