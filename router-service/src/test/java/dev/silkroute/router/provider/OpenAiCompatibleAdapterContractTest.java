package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.router.catalog.Endpoint;
import java.net.http.HttpClient;
import java.time.Duration;

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
}
