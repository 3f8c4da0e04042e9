package dev.silkroute.contracts;

import java.util.Objects;

/**
 * The Redis names of the self-hosted worker registry, under the same prefix as {@link RedisKeys}.
 * worker-service writes its heartbeat; routers watch it and keep their in-flight charges beside it.
 */
public record WorkerKeys(String prefix) {

  public WorkerKeys {
    Objects.requireNonNull(prefix, "prefix");
  }

  /** STRING: the worker's {@code WorkerStatus} as JSON, with a TTL (gone = worker dead or deregistered). */
  public String worker(String workerId) {
    return prefix + "worker:" + workerId;
  }

  /** SET of worker ids that registered; an id whose {@link #worker} key is gone is dead. */
  public String workers() {
    return prefix + "workers";
  }

  /** Pub/sub channel; message = the id of a worker whose key was written or deleted. */
  public String changedChannel() {
    return prefix + "workers:changed";
  }

  /** ZSET of requests routers sent to the worker: member = charge id, score = lease expiry (epoch ms). */
  public String inflight(String workerId) {
    return worker(workerId) + ":inflight";
  }
}
