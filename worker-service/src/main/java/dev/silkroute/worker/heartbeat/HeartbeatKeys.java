package dev.silkroute.worker.heartbeat;

/**
 * The Redis names of the worker registry, all under one prefix (default {@code silkroute:}):
 * <ul>
 *   <li>{@code <prefix>worker:<id>}: STRING, the worker's {@code WorkerStatus} as JSON, with a TTL;
 *   <li>{@code <prefix>workers}: SET of worker ids that registered (an id whose key expired is gone);
 *   <li>{@code <prefix>workers:changed}: pub/sub channel; message = the worker id whose key changed or was deleted.
 * </ul>
 */
public record HeartbeatKeys(String prefix) {
  public static final String DEFAULT_PREFIX = "silkroute:";

  public HeartbeatKeys {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null");
    }
  }

  public String worker(String workerId) {
    return prefix + "worker:" + workerId;
  }

  public String workers() {
    return prefix + "workers";
  }

  public String changedChannel() {
    return prefix + "workers:changed";
  }
}
