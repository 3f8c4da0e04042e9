package dev.silkroute.worker.grpc;

import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.worker.dispatch.Dispatcher;
import dev.silkroute.worker.dispatch.LoadReport;
import java.time.Clock;
import java.util.function.Supplier;

/** Builds the {@link WorkerStatus} that both the Status rpc and the Redis heartbeat carry. */
public final class WorkerStatusReport implements Supplier<WorkerStatus> {
  private final WorkerIdentity identity;
  private final Dispatcher dispatcher;
  private final Clock clock;

  public WorkerStatusReport(WorkerIdentity identity, Dispatcher dispatcher, Clock clock) {
    this.identity = identity;
    this.dispatcher = dispatcher;
    this.clock = clock;
  }

  public WorkerIdentity identity() {
    return identity;
  }

  @Override
  public WorkerStatus get() {
    LoadReport load = dispatcher.load();
    return WorkerStatus.newBuilder()
        .setWorkerId(identity.workerId())
        .setAddress(identity.address())
        .addAllModels(identity.models())
        .setGpuType(identity.gpuType())
        .setPricePerGpuHourMicros(identity.pricePerGpuHourMicros())
        .setRunning(load.running())
        .setQueued(load.queued())
        .setMaxRunning(load.maxRunning())
        .setMaxQueued(load.maxQueued())
        .setKvCacheUse(load.kvCacheUse())
        .setTokensPerSecond(load.tokensPerSecond())
        .setEstimatedTtftMs(load.estimatedTtftMillis())
        .setDraining(load.draining())
        .setReportedAtMs(clock.millis())
        .addAllPrefixHashes(load.prefixHashes())
        .setPrefillTokensPerSecond(load.prefillTokensPerSecond())
        .build();
  }
}
