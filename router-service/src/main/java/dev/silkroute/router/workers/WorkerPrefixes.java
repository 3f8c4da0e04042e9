package dev.silkroute.router.workers;

import dev.silkroute.proto.v1.WorkerStatus;
import dev.silkroute.router.routing.PrefixHolders;
import dev.silkroute.router.routing.PromptPrefix;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Which worker holds which prompt prefix, from the prefix hashes each reports in its heartbeat
 * ({@code WorkerStatus.prefix_hashes}, bounded by the worker): the set of a worker's hashes is built
 * once per report it makes, so a lookup is a few set probes.
 */
final class WorkerPrefixes implements PrefixHolders {

  private final Function<String, Optional<LiveWorker>> workers;
  private final Map<String, Held> held = new ConcurrentHashMap<>();

  private record Held(WorkerStatus report, Set<Long> hashes) {
  }

  /** @param workers the live worker of an id, as the registry knows it now */
  WorkerPrefixes(Function<String, Optional<LiveWorker>> workers) {
    this.workers = workers;
  }

  @Override
  public int heldBlocks(String workerId, PromptPrefix prefix) {
    Optional<LiveWorker> worker = workers.apply(workerId);
    if (worker.isEmpty()) {
      held.remove(workerId);
      return 0;
    }
    WorkerStatus report = worker.get().status();
    if (report.getPrefixHashesCount() == 0) {
      return 0;
    }
    Held now = held.get(workerId);
    if (now == null || now.report() != report) {
      now = new Held(report, new HashSet<>(report.getPrefixHashesList()));
      held.put(workerId, now);
    }
    int blocks = 0;
    while (blocks < prefix.blocks() && now.hashes().contains(prefix.hash(blocks))) {
      blocks++;
    }
    return blocks;
  }

  @Override
  public double prefillTokensPerSecond(String workerId) {
    return workers.apply(workerId).map(w -> w.status().getPrefillTokensPerSecond()).orElse(0.0);
  }
}
