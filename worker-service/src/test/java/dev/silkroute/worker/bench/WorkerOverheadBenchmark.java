package dev.silkroute.worker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerMessage;
import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.ProviderSim;
import dev.silkroute.worker.Worker;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.engine.ChatMessage;
import dev.silkroute.worker.engine.Completion;
import dev.silkroute.worker.engine.Engine;
import dev.silkroute.worker.engine.EngineFailure;
import dev.silkroute.worker.engine.GenerationRequest;
import dev.silkroute.worker.engine.GenerationSink;
import dev.silkroute.worker.engine.GpuProfile;
import dev.silkroute.worker.engine.OpenAiCompatibleEngine;
import dev.silkroute.worker.engine.RealTimeGpuLoop;
import dev.silkroute.worker.engine.SimulatedGpu;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * What the worker adds per streamed token over its engine: the same requests, one at a time, once
 * straight into the engine and once through the whole worker (admission, accounting, gRPC over a
 * loopback Netty socket, a blocking client reading every chunk). Engines run as fast as they can
 * (simulated GPU at 10M tokens/s; provider-sim with no pacing), so the difference is the worker's.
 * Not a test: run by hand, see docs/benchmarks/worker.md. Args: [rounds] [requestsPerRound].
 */
public final class WorkerOverheadBenchmark {
  private static final String MODEL = "qwen/qwen3-32b";
  private static final GpuProfile INSTANT = new GpuProfile("BENCH", 1e9, 1e7, 0, 64, 100_000_000, 1_000_000);

  private WorkerOverheadBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    ObjectMapper json = new ObjectMapper();

    SimulatedGpu gpu = new SimulatedGpu(INSTANT);
    try (RealTimeGpuLoop loop = new RealTimeGpuLoop(gpu, System::nanoTime).start();
         Worker worker = worker(WorkerConfig.EngineType.SIMULATED, Optional.empty(), json)) {
      report("simulated", rounds, requests, gpu, worker);
    }

    Knobs fast = Knobs.builder().completionTokens(200).build();
    try (ProviderSim vllm = ProviderSim.start(0, List.of(ProviderConfig.openai("vllm").withKnobs(fast)))) {
      URI base = URI.create(vllm.baseUrl("vllm"));
      OpenAiCompatibleEngine engine = new OpenAiCompatibleEngine(base, Optional.empty(), Duration.ofSeconds(10),
          HttpClient.newHttpClient(), json, System::nanoTime);
      try (Worker worker = worker(WorkerConfig.EngineType.OPENAI_COMPATIBLE,
          Optional.of(new WorkerConfig.OpenAiCompatible(base, Optional.empty(), Duration.ofSeconds(10))), json)) {
        report("openai-compatible (provider-sim)", rounds, requests, engine, worker);
      }
    }
  }

  private static void report(String name, int rounds, int requests, Engine engine, Worker worker)
      throws Exception {
    int port = worker.grpcServer().port();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    WorkerGrpc.WorkerBlockingStub stub = WorkerGrpc.newBlockingStub(channel);
    List<Double> direct = new ArrayList<>();
    List<Double> viaWorker = new ArrayList<>();
    for (int round = -3; round < rounds; round++) { // three warm-up rounds
      double d = nanosPerToken(requests, i -> directTokens(engine, i));
      double w = nanosPerToken(requests, i -> grpcTokens(stub, i));
      if (round >= 0) {
        direct.add(d);
        viaWorker.add(w);
      }
    }
    channel.shutdownNow();
    double md = median(direct);
    double mw = median(viaWorker);
    System.out.printf("%-34s engine %8.0f ns/token | via worker %8.0f ns/token | worker adds %8.0f ns/token%n",
        name, md, mw, mw - md);
  }

  private interface Run {
    long tokens(int i) throws Exception;
  }

  private static double nanosPerToken(int requests, Run run) throws Exception {
    long tokens = 0;
    long start = System.nanoTime();
    for (int i = 0; i < requests; i++) {
      tokens += run.tokens(i);
    }
    return (System.nanoTime() - start) / (double) tokens;
  }

  private static long directTokens(Engine engine, int i) throws Exception {
    CompletableFuture<Long> done = new CompletableFuture<>();
    engine.start(new GenerationRequest("bench", MODEL, List.of(new ChatMessage("user", "benchmark " + i)), 512,
        null, null, OptionalLong.of(i), List.of()), new GenerationSink() {
          long tokens;

          @Override
          public void onTokens(String text, int n) {
            tokens += n;
          }

          @Override
          public void onFinish(Completion completion) {
            done.complete(tokens);
          }

          @Override
          public void onFailure(EngineFailure failure) {
            done.completeExceptionally(failure);
          }
        });
    return done.get();
  }

  private static long grpcTokens(WorkerGrpc.WorkerBlockingStub stub, int i) {
    Iterator<GenerateChunk> chunks = stub.generate(GenerateRequest.newBuilder().setModel(MODEL).setMaxTokens(512)
        .setSeed(i).addMessages(WorkerMessage.newBuilder().setRole("user").setContent("benchmark " + i)).build());
    long tokens = 0;
    while (chunks.hasNext()) {
      tokens += chunks.next().getTokens();
    }
    return tokens;
  }

  private static Worker worker(WorkerConfig.EngineType engine, Optional<WorkerConfig.OpenAiCompatible> upstream,
                               ObjectMapper json) throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    WorkerConfig config = new WorkerConfig("bench", port, "127.0.0.1:" + port, List.of(MODEL), engine, INSTANT,
        16, 16, 512, Duration.ofSeconds(5), upstream, new WorkerConfig.HeartbeatConfig(false,
        URI.create("redis://127.0.0.1:6379"), "bench:", Duration.ofSeconds(1), Duration.ofSeconds(5),
        Duration.ofMillis(50)));
    return new Worker(config, Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create()),
        DispatchObserver.NONE, Clock.systemUTC(), System::nanoTime, json).start();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
