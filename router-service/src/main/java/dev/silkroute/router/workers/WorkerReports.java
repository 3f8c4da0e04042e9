package dev.silkroute.router.workers;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.silkroute.proto.v1.WorkerStatus;

/**
 * Reads a worker's heartbeat: {@link WorkerStatus} in proto3 JSON. Unknown fields are ignored, so
 * workers may add fields before routers know them.
 */
final class WorkerReports {

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  /** @throws IllegalArgumentException when the text is not a WorkerStatus */
  WorkerStatus read(String text) {
    WorkerStatus.Builder status = WorkerStatus.newBuilder();
    try {
      PARSER.merge(text, status);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("heartbeat is not a WorkerStatus: " + e.getMessage(), e);
    }
    if (status.getWorkerId().isEmpty() || status.getAddress().isEmpty()) {
      throw new IllegalArgumentException("heartbeat has no workerId or address");
    }
    return status.build();
  }
}
