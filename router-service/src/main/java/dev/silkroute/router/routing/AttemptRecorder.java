package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Endpoint;

/** Takes the result of every attempt at an endpoint, for its statistics. */
@FunctionalInterface
public interface AttemptRecorder {

  /**
   * @param latencyMs        from sending the request to the end of the answer (or the failure)
   * @param ttftMs           from sending the request to the first token; -1 when none came
   * @param completionTokens tokens generated; 0 when unknown
   * @param generationMs     from the first token to the last; 0 when none came
   */
  void record(Endpoint endpoint, Outcome outcome, long latencyMs, long ttftMs, long completionTokens,
              long generationMs);

  /** The attempt was also late in this way (recorded besides its {@link #record}). */
  default void late(Endpoint endpoint, Lateness lateness) {
  }
}
