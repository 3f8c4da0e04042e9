package dev.silkroute.worker.engine;

/** The engine could not produce (the rest of) a generation: upstream down, bad upstream answer. */
public final class EngineFailure extends RuntimeException {
  public EngineFailure(String message) {
    super(message);
  }

  public EngineFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
