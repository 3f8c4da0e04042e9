package dev.silkroute.worker.dispatch;

/** What the dispatcher reports for metrics; every label it passes is bounded (model ids, reasons). */
public interface DispatchObserver {
  DispatchObserver NONE = new DispatchObserver() {};

  default void rejected(String model, Submission.Reason reason) {}

  default void firstToken(String model, long ttftNanos) {}

  default void tokens(String model, int tokens) {}

  /** {@code outcome}: stop, length, error or cancelled. */
  default void ended(String model, String outcome) {}
}
