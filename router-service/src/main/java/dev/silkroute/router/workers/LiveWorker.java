package dev.silkroute.router.workers;

import dev.silkroute.proto.v1.WorkerStatus;
import io.grpc.ManagedChannel;

/**
 * A worker in the router's view: its latest report and the channel to it.
 *
 * @param bestTokensPerSecond the highest throughput it has reported since the router first saw it;
 *     its marginal cost is priced at this, since an idle worker reports 0 tokens/s now
 */
record LiveWorker(WorkerStatus status, ManagedChannel channel, double bestTokensPerSecond) {

  String id() {
    return status.getWorkerId();
  }

  /** Requests it takes before it answers RESOURCE_EXHAUSTED: running slots plus queue places. */
  long capacity() {
    return (long) status.getMaxRunning() + status.getMaxQueued();
  }

  boolean serves(String model) {
    return status.getModelsList().contains(model);
  }
}
