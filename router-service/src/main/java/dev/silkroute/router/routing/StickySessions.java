package dev.silkroute.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which endpoint served a session's model last, so the next turn goes there again and hits the
 * provider's prompt cache. Kept only for endpoints where cached prompt tokens are cheaper (elsewhere
 * staying gains nothing and defeats load balancing); forgotten after {@code idle} without a request.
 * Per replica: a session that lands on another replica starts a new stickiness there.
 */
public final class StickySessions {

  private record Entry(String endpointId, long lastUsedMillis) {
  }

  private static final int PRUNE_ABOVE = 100_000;

  private final Clock clock;
  private final long idleMillis;
  private final Map<String, Entry> sessions = new ConcurrentHashMap<>();

  public StickySessions(Clock clock, Duration idle) {
    this.clock = clock;
    this.idleMillis = idle.toMillis();
  }

  public Optional<String> endpointFor(String sessionId, String modelId) {
    Entry entry = sessions.get(key(sessionId, modelId));
    if (entry == null || clock.millis() - entry.lastUsedMillis >= idleMillis) {
      return Optional.empty();
    }
    return Optional.of(entry.endpointId);
  }

  public void remember(String sessionId, String modelId, String endpointId) {
    long now = clock.millis();
    if (sessions.size() > PRUNE_ABOVE) {
      sessions.values().removeIf(e -> now - e.lastUsedMillis >= idleMillis);
    }
    sessions.put(key(sessionId, modelId), new Entry(endpointId, now));
  }

  public void forget(String sessionId, String modelId) {
    sessions.remove(key(sessionId, modelId));
  }

  private static String key(String sessionId, String modelId) {
    return modelId + '\n' + sessionId;
  }
}
