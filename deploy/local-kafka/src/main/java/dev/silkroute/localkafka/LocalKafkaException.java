package dev.silkroute.localkafka;

/** The local broker could not be prepared, started or reached; the message says why and where to look. */
public final class LocalKafkaException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public LocalKafkaException(String message) {
    super(message);
  }

  public LocalKafkaException(String message, Throwable cause) {
    super(message, cause);
  }
}
