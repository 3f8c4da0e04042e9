package dev.silkroute.worker.dispatch;

import java.util.List;

/**
 * The worker's load now.
 *
 * @param kvCacheUse reserved KV-cache fraction, 0 to 1
 * @param tokensPerSecond generated tokens over the last second, all requests together
 * @param estimatedTtftMillis predicted time to first token for a request arriving now
 * @param prefixHashes prompt prefix hashes the engine's prefix cache holds, most recently used first
 * @param prefillTokensPerSecond the engine's prefill speed; 0 when unknown
 */
public record LoadReport(int running, int queued, int maxRunning, int maxQueued, double kvCacheUse,
    double tokensPerSecond, long estimatedTtftMillis, boolean draining, List<Long> prefixHashes,
    double prefillTokensPerSecond) {

  /** The most prefix hashes a report carries (and so every heartbeat). */
  public static final int MAX_PREFIX_HASHES = 256;

  public LoadReport {
    prefixHashes = List.copyOf(prefixHashes);
  }
}
