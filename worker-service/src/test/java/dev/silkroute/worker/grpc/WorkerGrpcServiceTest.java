package dev.silkroute.worker.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.silkroute.proto.v1.DrainRequest;
import dev.silkroute.proto.v1.GenerateChunk;
import dev.silkroute.proto.v1.GenerateRequest;
import dev.silkroute.proto.v1.StatusRequest;
import dev.silkroute.proto.v1.WorkerGrpc;
import dev.silkroute.proto.v1.WorkerMessage;
import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.worker.Worker;
import dev.silkroute.worker.config.WorkerConfig;
import dev.silkroute.worker.dispatch.DispatchObserver;
import dev.silkroute.worker.engine.GpuProfile;
import io.grpc.Context;
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
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Worker service over an in-process gRPC server and a real stub, on the real-time simulated engine. */
class WorkerGrpcServiceTest {
  private static final String MODEL = "qwen/qwen3-32b";
  /** 2000 tokens/s per sequence: a whole answer in well under a second. */
  private static final GpuProfile FAST = new GpuProfile("TEST", 1_000_000, 2_000, 0.0, 8, 100_000, 3_600_000);
  /** 20 tokens/s: requests stay running for the length of a test. */
  private static final GpuProfile SLOW = new GpuProfile("TEST", 1_000_000, 20, 0.0, 8, 100_000, 3_600_000);

  private final List<Worker> workers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    workers.forEach(Worker::close);
  }

  private WorkerGrpc.WorkerBlockingStub blocking(WorkerGrpc.WorkerStub async) {
    return WorkerGrpc.newBlockingStub(async.getChannel());
  }

  private WorkerGrpc.WorkerStub start(GpuProfile gpu, int maxRunning, int maxQueued) {
    String name = InProcessServerBuilder.generateName();
    WorkerConfig config = new WorkerConfig("worker-test", 0, name, List.of(MODEL), WorkerConfig.EngineType.SIMULATED,
        gpu, maxRunning, maxQueued, 64, Duration.ofSeconds(5), Optional.empty(),
        new WorkerConfig.HeartbeatConfig(false, URI.create("redis://127.0.0.1:6379"), "unused:", Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofMillis(50)));
    Worker worker = new Worker(config, InProcessServerBuilder.forName(name), DispatchObserver.NONE, Clock.systemUTC(),
        System::nanoTime, new ObjectMapper()).start();
    workers.add(worker);
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    channels.add(channel);
    return WorkerGrpc.newStub(channel);
  }

  private static GenerateRequest request(String model, String prompt, int maxTokens) {
    return GenerateRequest.newBuilder().setRequestId("gen-" + prompt.hashCode()).setModel(model)
        .addMessages(WorkerMessage.newBuilder().setRole("user").setContent(prompt)).setMaxTokens(maxTokens).build();
  }

  @Test
  void streamsTokenChunksThenAFinalChunkWithUsageAndCost() {
    WorkerGrpc.WorkerBlockingStub worker = blocking(start(FAST, 4, 4));

    List<GenerateChunk> chunks = new ArrayList<>();
    worker.generate(request(MODEL, "what is a silk road?", 1000)).forEachRemaining(chunks::add);

    GenerateChunk last = chunks.get(chunks.size() - 1);
    List<GenerateChunk> tokens = chunks.subList(0, chunks.size() - 1);
    assertThat(tokens).isNotEmpty().allSatisfy(c -> {
      assertThat(c.getTokens()).isEqualTo(1);
      assertThat(c.getText()).isNotEmpty();
      assertThat(c.getFinishReason()).isEmpty();
    });
    assertThat(last.getFinishReason()).isEqualTo("stop");
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(tokens.size());
    assertThat(last.getUsage().getPromptTokens()).isPositive();
    assertThat(last.getUsage().getGpuMicros()).isPositive();
    assertThat(last.getUsage().getCostMicros()).isEqualTo((last.getUsage().getGpuMicros() + 500) / 1000);
    assertThat(last.getElapsedMs()).isGreaterThanOrEqualTo(tokens.get(tokens.size() - 1).getElapsedMs());
  }

  @Test
  void stopsAtMaxTokensWithFinishReasonLength() {
    WorkerGrpc.WorkerBlockingStub worker = blocking(start(FAST, 4, 4));

    List<GenerateChunk> chunks = new ArrayList<>();
    worker.generate(request(MODEL, "count", 3)).forEachRemaining(chunks::add);

    assertThat(chunks).hasSize(4);
    assertThat(chunks.get(3).getFinishReason()).isEqualTo("length");
    assertThat(chunks.get(3).getUsage().getCompletionTokens()).isEqualTo(3);
  }

  @Test
  void rejectsAtOnceWithResourceExhaustedWhenRunningAndQueueAreFull() {
    WorkerGrpc.WorkerStub async = start(SLOW, 1, 1);
    async.generate(request(MODEL, "one", 1000), new Collector());
    async.generate(request(MODEL, "two", 1000), new Collector());
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      WorkerStatus s = blocking(async).status(StatusRequest.getDefaultInstance());
      return s.getRunning() == 1 && s.getQueued() == 1;
    });

    assertThatThrownBy(() -> blocking(async).generate(request(MODEL, "three", 10)).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getStatus().getDescription()).contains("full", "1/1 running", "1/1 queued");
        });
  }

  @Test
  void answersNotFoundForAModelItDoesNotServe() {
    WorkerGrpc.WorkerBlockingStub worker = blocking(start(FAST, 4, 4));

    assertThatThrownBy(() -> worker.generate(request("acme/unknown", "hi", 5)).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("acme/unknown");
        });
  }

  @Test
  void answersInvalidArgumentForEmptyMessagesOrNegativeMaxTokens() {
    WorkerGrpc.WorkerBlockingStub worker = blocking(start(FAST, 4, 4));

    assertThatThrownBy(() -> worker.generate(GenerateRequest.newBuilder().setModel(MODEL).build()).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("messages");
        });
    assertThatThrownBy(() -> worker.generate(request(MODEL, "hi", -1)).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("max_tokens");
        });
  }

  @Test
  void unsetMaxTokensMeansTheWorkerDefault() {
    WorkerGrpc.WorkerBlockingStub worker = blocking(start(FAST, 4, 4));

    List<GenerateChunk> chunks = new ArrayList<>();
    // Find a prompt whose natural answer is longer than the default of 64 tokens.
    GenerateChunk last = null;
    for (int i = 0; i < 50 && (last == null || !last.getFinishReason().equals("length")); i++) {
      chunks.clear();
      worker.generate(request(MODEL, "prompt " + i, 0)).forEachRemaining(chunks::add);
      last = chunks.get(chunks.size() - 1);
    }
    assertThat(last.getFinishReason()).isEqualTo("length");
    assertThat(last.getUsage().getCompletionTokens()).isEqualTo(64);
  }

  @Test
  void cancellingACallFreesItsSlot() throws Exception {
    WorkerGrpc.WorkerStub async = start(SLOW, 1, 0);
    Context.CancellableContext call = Context.current().withCancellation();
    Iterator<GenerateChunk> stream = call.call(() -> blocking(async).generate(request(MODEL, "long", 1000)));
    assertThat(stream.next().getTokens()).isEqualTo(1);
    assertThatThrownBy(() -> blocking(async).generate(request(MODEL, "blocked", 5)).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

    call.cancel(null);

    await().atMost(Duration.ofSeconds(5))
        .until(() -> blocking(async).status(StatusRequest.getDefaultInstance()).getRunning() == 0);
    Iterator<GenerateChunk> next = blocking(async).generate(request(MODEL, "next", 1000));
    assertThat(next.next().getTokens()).isEqualTo(1);
  }

  @Test
  void drainLetsRunningCallsFinishAndTurnsNewOnesAway() throws Exception {
    WorkerGrpc.WorkerStub async = start(new GpuProfile("TEST", 1_000_000, 100, 0.0, 8, 100_000, 3_600_000), 2, 2);
    Collector running = new Collector();
    async.generate(request(MODEL, "running", 20), running); // about 200 ms
    await().atMost(Duration.ofSeconds(5)).until(() -> !running.chunks.isEmpty());

    CompletableFuture<WorkerStatus> drained = new CompletableFuture<>();
    async.drain(DrainRequest.newBuilder().setTimeoutMs(10_000).build(), new StreamObserver<>() {
      @Override
      public void onNext(WorkerStatus value) {
        drained.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        drained.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    await().atMost(Duration.ofSeconds(5))
        .until(() -> blocking(async).status(StatusRequest.getDefaultInstance()).getDraining());

    assertThatThrownBy(() -> blocking(async).generate(request(MODEL, "late", 5)).next())
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getStatus().getDescription()).contains("draining");
        });
    WorkerStatus status = drained.get(10, TimeUnit.SECONDS);
    assertThat(status.getDraining()).isTrue();
    assertThat(status.getRunning()).isZero();
    assertThat(running.completed).isCompleted();
    assertThat(running.chunks.get(running.chunks.size() - 1).getFinishReason()).isIn("stop", "length");
  }

  @Test
  void statusReportsIdentityAndLoad() {
    WorkerGrpc.WorkerStub async = start(SLOW, 3, 5);
    async.generate(request(MODEL, "one", 1000), new Collector());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> blocking(async).status(StatusRequest.getDefaultInstance()).getTokensPerSecond() > 0);

    WorkerStatus status = blocking(async).status(StatusRequest.getDefaultInstance());

    assertThat(status.getWorkerId()).isEqualTo("worker-test");
    assertThat(status.getModelsList()).containsExactly(MODEL);
    assertThat(status.getGpuType()).isEqualTo("TEST");
    assertThat(status.getPricePerGpuHourMicros()).isEqualTo(3_600_000);
    assertThat(status.getRunning()).isEqualTo(1);
    assertThat(status.getMaxRunning()).isEqualTo(3);
    assertThat(status.getMaxQueued()).isEqualTo(5);
    assertThat(status.getKvCacheUse()).isBetween(0.0, 1.0).isPositive();
    assertThat(status.getEstimatedTtftMs()).isPositive();
    assertThat(status.getReportedAtMs()).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(5_000L));
  }

  /** Collects an async call's chunks. */
  private static final class Collector implements StreamObserver<GenerateChunk> {
    final List<GenerateChunk> chunks = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> completed = new CompletableFuture<>();

    @Override
    public void onNext(GenerateChunk value) {
      chunks.add(value);
    }

    @Override
    public void onError(Throwable t) {
      completed.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      completed.complete(null);
    }
  }
}
