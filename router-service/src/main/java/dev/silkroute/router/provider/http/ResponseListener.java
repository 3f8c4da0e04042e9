package dev.silkroute.router.provider.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Receives one upstream answer, always on the event loop of its exchange, one call at a time, never
 * before {@link HttpTransport#send} returned: {@link #onHead} once, then {@link #onContent} until its
 * {@code last}; or {@link #onError} at any point. Nothing follows {@code last}, an error, or a
 * {@link Exchange#cancel()}.
 */
public interface ResponseListener {

  void onHead(Exchange exchange, int status, HttpHeaders headers);

  /** A piece of the body, released by the transport once this returns. */
  void onContent(Exchange exchange, ByteBuf content, boolean last);

  /**
   * The exchange failed: the upstream could not be reached, broke the connection, or sent no head
   * within the request's headers timeout ({@link java.net.http.HttpTimeoutException}).
   */
  void onError(Exchange exchange, Throwable error);
}
