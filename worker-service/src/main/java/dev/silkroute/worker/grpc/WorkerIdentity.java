package dev.silkroute.worker.grpc;

import java.util.List;

/**
 * Who a worker is, for its load reports.
 *
 * @param address host:port of its gRPC server, as routers should dial it
 */
public record WorkerIdentity(String workerId, String address, List<String> models, String gpuType,
    long pricePerGpuHourMicros) {
  public WorkerIdentity {
    models = List.copyOf(models);
  }
}
