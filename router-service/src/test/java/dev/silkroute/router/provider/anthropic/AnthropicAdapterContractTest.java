package dev.silkroute.router.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.RecordedRequest;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.provider.ProviderAdapter;
import dev.silkroute.router.provider.HttpDialectContract;
import dev.silkroute.router.provider.Waiting;
import dev.silkroute.router.provider.http.HttpTransport;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AnthropicAdapterContractTest extends HttpDialectContract {

  @Override
  protected ProviderConfig provider(String name) {
    return ProviderConfig.anthropic(name);
  }

  @Override
  protected Endpoint.Protocol protocol() {
    return Endpoint.Protocol.ANTHROPIC;
  }

  @Override
  protected ProviderAdapter newAdapter(HttpTransport transport, ObjectMapper json, Duration firstByteTimeout) {
    return new AnthropicAdapter(transport, json, Clock.systemUTC(), new AnthropicSettings("2023-06-01", 1234),
        firstByteTimeout);
  }

  @Test
  void sendsTheKeyAndVersionHeadersAndATranslatedBody() throws Exception {
    sim.update(PROVIDER, Knobs.builder().apiKey("sk-ant-test").build());

    Waiting.complete(adapter, endpoint(Optional.of("sk-ant-test")), request("""
        {"model": "test/model", "stop": "END", "temperature": 1.5, "messages": [
          {"role": "system", "content": "Be brief."},
          {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]},
          {"role": "user", "content": "hi"}]}"""));

    List<RecordedRequest> seen = sim.recentRequests(PROVIDER);
    RecordedRequest last = seen.get(seen.size() - 1);
    assertThat(last.path()).endsWith("/v1/messages");
    assertThat(last.header("x-api-key")).hasValue("sk-ant-test");
    assertThat(last.header("anthropic-version")).hasValue("2023-06-01");
    assertThat(last.header("authorization")).isEmpty();
    JsonNode body = JSON.readTree(last.body());
    assertThat(body.path("model").asText()).isEqualTo("upstream-model");
    assertThat(body.path("max_tokens").asLong()).isEqualTo(1234);
    assertThat(body.path("stop_sequences").toString()).isEqualTo("[\"END\"]");
    assertThat(body.path("temperature").asDouble()).isEqualTo(1.0);
    assertThat(body.at("/system/0/text").asText()).isEqualTo("Be brief.");
    assertThat(body.at("/system/1/text").asText()).isEqualTo("Use metric units.");
    assertThat(body.path("messages")).hasSize(1);
  }

  @Test
  void reportsStopReasonsAsNativeFinishReasons() throws Exception {
    var completion = Waiting.complete(adapter, endpoint(), request("""
        {"model": "test/model", "max_completion_tokens": 2, "messages": [{"role": "user", "content": "hi"}]}"""));

    assertThat(completion.finishReason()).isEqualTo("length");
    assertThat(completion.body().at("/choices/0/native_finish_reason").asText()).isEqualTo("max_tokens");
  }
}
