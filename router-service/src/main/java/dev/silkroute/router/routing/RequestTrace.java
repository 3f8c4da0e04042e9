package dev.silkroute.router.routing;

import java.util.ArrayList;
import java.util.List;

/** What happened to one request across its routing decisions (one per model tried): its attempts. */
final class RequestTrace {

  /**
   * One attempt or one endpoint passed over.
   *
   * @param outcome "ok", "provider_error", "rate_limited", "caller_error", "cancelled", or "skipped"
   * @param detail  why it was skipped ("circuit_open", ...), or the upstream's HTTP status
   */
  record Entry(String model, String endpoint, String provider, String outcome, String detail, long latencyMs,
               long ttftMs) {
  }

  final String requestedModel;
  final List<Entry> entries = new ArrayList<>(4);
  /** Whether any attempt reached an upstream; until then an open circuit may be tried as a last resort. */
  boolean reachedUpstream;
  boolean lastResortUsed;

  RequestTrace(String requestedModel) {
    this.requestedModel = requestedModel;
  }
}
