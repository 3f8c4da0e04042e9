package dev.silkroute.worker.dispatch;

/**
 * The worker's load now.
 *
 * @param kvCacheUse reserved KV-cache fraction, 0 to 1
 * @param tokensPerSecond generated tokens over the last second, all requests together
 * @param estimatedTtftMillis predicted time to first token for a request arriving now
 */
public record LoadReport(int running, int queued, int maxRunning, int maxQueued, double kvCacheUse,
    double tokensPerSecond, long estimatedTtftMillis, boolean draining) {}
