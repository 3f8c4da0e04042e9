package dev.silkroute.router.provider;

import dev.silkroute.contracts.sse.SseDecoder;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.core.Cancellation;
import dev.silkroute.router.provider.http.Exchange;
import dev.silkroute.router.provider.http.ResponseListener;
import dev.silkroute.router.provider.http.WholeBody;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A streamed answer read as its bytes arrive, on the exchange's event loop: the one
 * {@link SseDecoder} turns them into events, which a dialect turns into chunks for the sink. The
 * stream's future completes once: with the end the dialect reports ({@link #complete}), incomplete
 * when the body ends without it or on cancel, or with an {@link UpstreamException} (a refusal, a
 * provider error mid-stream, a broken connection), in which case the connection is closed.
 */
public abstract class EventStream implements ResponseListener, SseDecoder.Listener {

  protected final Endpoint endpoint;
  private final CompletableFuture<StreamEnd> end = new CompletableFuture<>();
  private final SseDecoder decoder = new SseDecoder(this);
  private Exchange exchange;
  private WholeBody refusal;
  /** The answer's status, once its head came; 0 before. */
  protected int status;

  protected EventStream(Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  /**
   * One event's data, {@code data[offset, offset + length)} (valid during the call). Throws to end the
   * stream: an {@link UpstreamException} as it is, an {@link IOException} (data that is not JSON) as a
   * broken stream.
   */
  protected abstract void event(String type, byte[] data, int offset, int length)
      throws UpstreamException, IOException;

  /** The events of one delivery were handed over; {@code endFollows} when the stream ends next. */
  protected void delivered(boolean endFollows) {
  }

  /** How the stream stands when it stops without the dialect's end (cut, or cancelled). */
  protected abstract StreamEnd incomplete();

  /** The future of this stream, tied to its exchange: once {@code cancellation} fires, the exchange is abandoned. */
  public final CompletableFuture<StreamEnd> attach(Exchange started, Cancellation cancellation) {
    cancellation.onCancel(() -> started.cancel(() -> end.complete(incomplete())));
    return end;
  }

  /** The dialect saw its stream's end. The rest of the body is read and dropped, so that the connection is reused. */
  protected final void complete(StreamEnd streamEnd) {
    decoder.stop();
    end.complete(streamEnd);
  }

  @Override
  public final void onHead(Exchange exchange, int status, HttpHeaders headers) {
    this.exchange = exchange;
    this.status = status;
    if (status / 100 != 2) {
      refusal = new WholeBody(UpstreamFailures.ERROR_BODY_LIMIT,
          (code, head, body, length, error) -> fail(UpstreamFailures.refused(endpoint, code, head, body, length)));
      refusal.onHead(exchange, status, headers);
    }
  }

  @Override
  public final void onContent(Exchange exchange, ByteBuf content, boolean last) {
    if (refusal != null) {
      refusal.onContent(exchange, content, last);
      return;
    }
    if (end.isDone()) {
      return; // completed: the body's rest is drained for the connection's sake
    }
    decoder.feed(content.nioBuffer());
    if (last) {
      decoder.end();
    }
    if (!end.isDone()) {
      delivered(last);
      if (last) {
        end.complete(incomplete());
      }
    }
  }

  @Override
  public final void onError(Exchange exchange, Throwable error) {
    this.exchange = exchange;
    if (refusal != null) {
      refusal.onError(exchange, error);
    } else if (status == 0) {
      fail(UpstreamFailures.unreachable(endpoint, error));
    } else {
      fail(UpstreamFailures.broke(endpoint, status, error));
    }
  }

  @Override
  public final void onEvent(String type, byte[] data, int offset, int length) {
    if (end.isDone()) {
      return;
    }
    try {
      event(type, data, offset, length);
    } catch (IOException e) {
      fail(UpstreamFailures.broke(endpoint, status, e));
    } catch (UpstreamException | RuntimeException e) { // a RuntimeException is the sink's: reported as it is
      fail(e);
    }
  }

  private void fail(Exception error) {
    decoder.stop();
    if (end.completeExceptionally(error) && exchange != null) {
      exchange.cancel();
    }
  }
}
