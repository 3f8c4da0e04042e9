package dev.silkroute.worker.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The openai-compatible engine with provider-sim standing in for vLLM (40-token answers at 200 tokens/s). */
class OpenAiCompatibleEngineContractTest extends EngineContract {
  private ProviderSim vllm;

  @Override
  Engine start() {
    vllm = ProviderSim.start(0, List.of(ProviderConfig.openai("vllm")
        .withKnobs(Knobs.builder().tokensPerSecond(200).completionTokens(40).build())));
    OpenAiCompatibleEngine engine = new OpenAiCompatibleEngine(URI.create(vllm.baseUrl("vllm")), Optional.empty(),
        Duration.ofSeconds(5), HttpClient.newHttpClient(), new ObjectMapper(), System::nanoTime);
    return new Engine() {
      @Override
      public Generation start(GenerationRequest request, GenerationSink sink) {
        return engine.start(request, sink);
      }

      @Override
      public long kvCapacityTokens() {
        return engine.kvCapacityTokens();
      }

      @Override
      public long nominalTtftMillis(long promptTokens, int running) {
        return engine.nominalTtftMillis(promptTokens, running);
      }

      @Override
      public void close() {
        engine.close();
        vllm.close();
      }
    };
  }
}
