package dev.silkroute.router.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.router.catalog.Endpoint;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleAdapterContractTest extends ProviderAdapterContract {

  @Override
  protected ProviderConfig provider(String name) {
    return ProviderConfig.openai(name);
  }

  @Override
  protected Endpoint.Protocol protocol() {
    return Endpoint.Protocol.OPENAI;
  }

  @Override
  protected ProviderAdapter newAdapter(HttpClient http, ObjectMapper json, Duration firstByteTimeout) {
    return new OpenAiCompatibleAdapter(http, json, firstByteTimeout);
  }

  @Test
  void completesWithoutAThreadOfItsOwn() throws Exception {
    Executor noThreads = task -> {
      throw new AssertionError("the OpenAI adapter must not wait on the blocking pool");
    };

    Completion completion = adapter.completeAsync(endpoint(), request("""
        {"model": "test/model", "messages": [{"role": "user", "content": "hi"}]}"""), noThreads)
        .get(10, TimeUnit.SECONDS);

    assertThat(completion.usage().completionTokens()).isPositive();
  }
}
