package dev.silkroute.worker.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.WorkerEmbedRequest;
import dev.silkroute.proto.v1.WorkerEmbedResponse;
import dev.silkroute.proto.v1.WorkerVector;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.StatusRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerMessage;
import dev.silkroute.worker.Worker;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.engine.GpuProfile;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Embed over an in-process gRPC server and a real stub, on the simulated engine. */
class WorkerEmbedTest {
  private static final String MODEL = "baai/bge-m3";
  /** 20 tokens/s: a generation stays running for the length of a test. */
  private static final GpuProfile SLOW = new GpuProfile("TEST", 1_000_000, 20, 0.0, 8, 100_000, 3_600_000);

  private final List<Worker> workers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    workers.forEach(Worker::close);
  }

  private WorkerGrpc.WorkerBlockingStub start(int maxRunning, int maxQueued) {
    String name = InProcessServerBuilder.generateName();
    WorkerConfig config = new WorkerConfig("worker-test", 0, name, List.of(MODEL), WorkerConfig.EngineType.SIMULATED,
        SLOW, maxRunning, maxQueued, 64, Duration.ofSeconds(5), Optional.empty(),
        new WorkerConfig.HeartbeatConfig(false, URI.create("redis://127.0.0.1:6379"), "unused:", Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofMillis(50)));
    Worker worker = new Worker(config, InProcessServerBuilder.forName(name), DispatchObserver.NONE, Clock.systemUTC(),
        System::nanoTime, new ObjectMapper()).start();
    workers.add(worker);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    channels.add(channel);
    return WorkerGrpc.newBlockingStub(channel);
  }

  private static WorkerEmbedRequest embed(String model, String... inputs) {
    return WorkerEmbedRequest.newBuilder().setRequestId("gen-1").setModel(model).addAllInputs(List.of(inputs)).build();
  }

  private static double norm(WorkerVector vector) {
    double sum = 0;
    for (float value : vector.getValuesList()) {
      sum += value * value;
    }
    return Math.sqrt(sum);
  }

  @Test
  void answersOneDeterministicUnitVectorOfTheModelsDimensionPerInput() {
    WorkerGrpc.WorkerBlockingStub worker = start(4, 4);

    WorkerEmbedResponse first = worker.embed(embed(MODEL, "the quick brown fox", "jumps"));
    WorkerEmbedResponse again = worker.embed(embed(MODEL, "jumps"));

    assertThat(first.getVectorsList()).hasSize(2);
    assertThat(first.getVectors(0).getValuesCount()).isEqualTo(1024); // BGE-M3's size
    assertThat(norm(first.getVectors(0))).isCloseTo(1.0, within(1e-5));
    assertThat(norm(first.getVectors(1))).isCloseTo(1.0, within(1e-5));
    assertThat(first.getVectors(0).getValuesList()).isNotEqualTo(first.getVectors(1).getValuesList());
    assertThat(again.getVectors(0).getValuesList()).isEqualTo(first.getVectors(1).getValuesList());
    assertThat(first.getPromptTokens()).isEqualTo(5 + 2); // about four characters a token, per input
  }

  @Test
  void dimensionsCutTheVectorToANormalisedPrefix() {
    WorkerGrpc.WorkerBlockingStub worker = start(4, 4);

    WorkerVector full = worker.embed(embed(MODEL, "hello")).getVectors(0);
    WorkerVector cut = worker.embed(embed(MODEL, "hello").toBuilder().setDimensions(256).build()).getVectors(0);

    assertThat(cut.getValuesCount()).isEqualTo(256);
    assertThat(norm(cut)).isCloseTo(1.0, within(1e-5));
    // Same direction as the full vector's first 256 components.
    double dot = 0;
    double prefix = 0;
    for (int i = 0; i < 256; i++) {
      dot += full.getValues(i) * cut.getValues(i);
      prefix += full.getValues(i) * full.getValues(i);
    }
    assertThat(dot / Math.sqrt(prefix)).isCloseTo(1.0, within(1e-4));
  }

  @Test
  void aFullWorkerTurnsAnEmbeddingAwayAsItWouldAGeneration() {
    WorkerGrpc.WorkerBlockingStub worker = start(1, 0);
    WorkerGrpc.WorkerStub async = WorkerGrpc.newStub(worker.getChannel());
    async.generate(GenerateRequest.newBuilder().setRequestId("gen-long").setModel(MODEL)
        .addMessages(WorkerMessage.newBuilder().setRole("user").setContent("write a lot")).setMaxTokens(1000).build(),
        new StreamObserver<GenerateChunk>() {
          @Override
          public void onNext(GenerateChunk value) {
          }

          @Override
          public void onError(Throwable t) {
          }

          @Override
          public void onCompleted() {
          }
        });
    await().atMost(Duration.ofSeconds(5))
        .until(() -> worker.status(StatusRequest.getDefaultInstance()).getRunning() == 1);

    assertThatThrownBy(() -> worker.embed(embed(MODEL, "hello")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
  }

  @Test
  void refusesAnUnknownModelAndEmptyInputs() {
    WorkerGrpc.WorkerBlockingStub worker = start(4, 4);

    assertThatThrownBy(() -> worker.embed(embed("openai/text-embedding-3-small", "hello")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertThatThrownBy(() -> worker.embed(embed(MODEL)))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
