package dev.silkroute.router.provider.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Arrays;

/**
 * Reads an answer whole (a non-streamed completion, or an error body), then reports it once. A body
 * longer than its limit is cut there and the exchange abandoned: an error body needs no more than
 * a few KiB, and an answer larger than the limit is not one the router can pass on.
 */
public final class WholeBody implements ResponseListener {

  /** The answer: {@code status} 0 when none came; {@code error} non-null when the exchange broke. */
  @FunctionalInterface
  public interface Done {
    void done(int status, HttpHeaders headers, byte[] body, int length, Throwable error);
  }

  private final int limit;
  private final Done done;
  private int status;
  private HttpHeaders headers;
  private byte[] body;
  private int length;
  private boolean reported;

  public WholeBody(int limit, Done done) {
    this.limit = limit;
    this.done = done;
  }

  @Override
  public void onHead(Exchange exchange, int status, HttpHeaders headers) {
    this.status = status;
    this.headers = headers;
    long declared = headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 1024);
    body = new byte[(int) Math.max(16, Math.min(declared, limit))];
  }

  @Override
  public void onContent(Exchange exchange, ByteBuf content, boolean last) {
    if (reported) {
      return;
    }
    int n = Math.min(content.readableBytes(), limit - length);
    if (length + n > body.length) {
      body = Arrays.copyOf(body, Math.min(limit, Math.max(length + n, body.length * 2)));
    }
    content.readBytes(body, length, n);
    length += n;
    if (last || length >= limit) {
      reported = true;
      if (!last) {
        exchange.cancel();
      }
      done.done(status, headers, body, length, null);
    }
  }

  @Override
  public void onError(Exchange exchange, Throwable error) {
    if (!reported) {
      reported = true;
      done.done(status, headers, body, length, error);
    }
  }
}
