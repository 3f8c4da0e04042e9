package dev.silkroute.worker.engine;

/** The simulated engine in real time, at 200 tokens/s per sequence. */
class SimulatedEngineContractTest extends EngineContract {
  private RealTimeGpuLoop loop;

  @Override
  Engine start() {
    SimulatedGpu gpu = new SimulatedGpu(new GpuProfile("TEST", 50_000, 200, 0.02, 8, 100_000, 1_000_000));
    loop = new RealTimeGpuLoop(gpu, System::nanoTime).start();
    return new Engine() {
      @Override
      public Generation start(GenerationRequest request, GenerationSink sink) {
        return gpu.start(request, sink);
      }

      @Override
      public long kvCapacityTokens() {
        return gpu.kvCapacityTokens();
      }

      @Override
      public long nominalTtftMillis(long promptTokens, int running) {
        return gpu.nominalTtftMillis(promptTokens, running);
      }

      @Override
      public void close() {
        loop.close();
        gpu.close();
      }
    };
  }
}
