package dev.silkroute.router.workers;

/**
 * The Redis names of the worker registry, as worker-service writes them (its {@code HeartbeatKeys}),
 * plus the router's own in-flight charges. All under the Redis key prefix (default {@code silkroute:}).
 */
record WorkerKeys(String prefix) {

  /** STRING: the worker's {@code WorkerStatus} as JSON, with a TTL (gone = worker dead or deregistered). */
  String worker(String workerId) {
    return prefix + "worker:" + workerId;
  }

  /** SET of worker ids that registered; an id whose key is gone is dead. */
  String workers() {
    return prefix + "workers";
  }

  /** Pub/sub channel; message = the id of a worker whose key was written or deleted. */
  String changedChannel() {
    return prefix + "workers:changed";
  }

  /** ZSET of requests routers sent to the worker: member = charge id, score = lease expiry (epoch ms). */
  String inflight(String workerId) {
    return prefix + "worker:" + workerId + ":inflight";
  }
}
