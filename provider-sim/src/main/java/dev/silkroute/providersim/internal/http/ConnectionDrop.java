package dev.silkroute.providersim.internal.http;

/**
 * Thrown out of a handler to drop the TCP connection. The JDK server closes the socket of an exchange
 * whose handler throws, without writing the final chunk, which is what a provider dying mid-stream
 * looks like to a client: no finish chunk, no {@code [DONE]}, a truncated body.
 */
public final class ConnectionDrop extends RuntimeException {

  public ConnectionDrop(String why) {
    super(why, null, false, false);
  }
}
