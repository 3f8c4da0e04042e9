package dev.silkroute.router.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads an OpenAI-style event stream as its bytes arrive, on the HTTP client's threads: every
 * {@code data:} chunk that carries choices goes to the sink, and the body completes with the stream's
 * end: complete at {@code [DONE]}, incomplete when the body ends without it or on {@link #cancel()}.
 * An error chunk or a broken connection fails it with an {@link UpstreamException}.
 *
 * <p>Lines are split on bytes: a line, and a UTF-8 character in it, may straddle buffers, and a
 * newline byte never occurs inside a multi-byte character. Chunks that arrive in one delivery leave
 * as a burst: all but the last are passed on with {@code more} (see {@link ChunkSink#chunk(ObjectNode, boolean)}).
 *
 * <p>The subscriber's methods and {@link #cancel()} are serialised on the instance: the sink and the
 * future's dependents never run concurrently with each other.
 */
final class SseBodySubscriber implements HttpResponse.BodySubscriber<StreamEnd> {

  private static final byte[] DATA = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final String provider;
  private final ObjectMapper json;
  private final ChunkSink sink;
  private final CompletableFuture<StreamEnd> end = new CompletableFuture<>();

  private Flow.Subscription subscription;
  private int status;
  /** After [DONE]: the rest of the body is read and dropped, so that the connection can be reused. */
  private boolean draining;
  private byte[] line = new byte[512];
  private int length;
  private boolean afterCarriageReturn;
  private TokenUsage usage = TokenUsage.NONE;
  private String finishReason;
  /** The last chunk of the delivery being read: passed on once it is known whether more follow. */
  private ObjectNode held;

  SseBodySubscriber(String provider, ObjectMapper json, ChunkSink sink) {
    this.provider = provider;
    this.json = json;
    this.sink = sink;
  }

  /** Takes the body of an answer with this (2xx) status. */
  synchronized SseBodySubscriber answered(int status) {
    this.status = status;
    return this;
  }

  @Override
  public CompletionStage<StreamEnd> getBody() {
    return end;
  }

  CompletableFuture<StreamEnd> end() {
    return end;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (end.isDone()) {
      subscription.cancel(); // cancelled while the answer was on its way
    } else {
      subscription.request(1);
    }
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (end.isDone() && !draining) {
      return; // cancelled or failed: the subscription is cancelled already
    }
    try {
      for (ByteBuffer buffer : buffers) {
        read(buffer);
      }
      passOn(false);
    } catch (IOException e) { // a line that is not JSON: as good as a broken stream
      passOn(true);
      fail(new UpstreamException(provider, status, "provider's stream broke: " + e.getMessage(), null, e));
    } catch (UpstreamException e) {
      fail(e);
    } catch (RuntimeException e) { // from the sink: the caller's failure, reported as is
      fail(e);
    }
    if (!end.isDone() || draining) {
      subscription.request(1);
    }
  }

  @Override
  public synchronized void onError(Throwable error) {
    if (!end.isDone()) {
      end.completeExceptionally(new UpstreamException(provider, status,
          "provider's stream broke: " + error.getMessage(), null, error));
    }
  }

  @Override
  public synchronized void onComplete() {
    if (end.isDone()) {
      return;
    }
    try {
      if (length > 0) {
        line(); // the last line, without its line break
      }
      passOn(true); // the end follows at once
      end.complete(new StreamEnd(usage, finishReason, false));
    } catch (IOException e) {
      end.completeExceptionally(new UpstreamException(provider, status,
          "provider's stream broke: " + e.getMessage(), null, e));
    } catch (UpstreamException | RuntimeException e) {
      end.completeExceptionally(e);
    }
  }

  /**
   * Stops reading and closes the connection; the body completes as an incomplete stream with what
   * was seen so far. Before the answer arrived, it is refused when it does.
   */
  synchronized void cancel() {
    if (end.isDone()) {
      return;
    }
    if (subscription != null) {
      subscription.cancel();
    }
    end.complete(new StreamEnd(usage, finishReason, false));
  }

  /** The request failed before or while its body was read. */
  synchronized void failed(UpstreamException error) {
    fail(error);
  }

  private void fail(Exception error) {
    if (end.completeExceptionally(error) && subscription != null) {
      subscription.cancel();
    }
  }

  private void read(ByteBuffer buffer) throws IOException, UpstreamException {
    while (buffer.hasRemaining() && !end.isDone()) {
      byte b = buffer.get();
      if (b == '\n' && afterCarriageReturn) {
        afterCarriageReturn = false; // the second half of a CRLF
      } else if (b == '\n' || b == '\r') {
        afterCarriageReturn = b == '\r';
        line();
      } else {
        afterCarriageReturn = false;
        if (length == line.length) {
          line = Arrays.copyOf(line, length * 2);
        }
        line[length++] = b;
      }
    }
  }

  private void line() throws IOException, UpstreamException {
    int to = length;
    length = 0;
    if (to < DATA.length || !Arrays.equals(line, 0, DATA.length, DATA, 0, DATA.length)) {
      return; // blank separators, ": keep-alive" comments, event names
    }
    int from = DATA.length;
    // As String.trim: bytes up to a space; UTF-8's multi-byte sequences are all above 0x7f.
    while (from < to && (line[from] & 0xff) <= ' ') {
      from++;
    }
    while (to > from && (line[to - 1] & 0xff) <= ' ') {
      to--;
    }
    if (Arrays.equals(line, from, to, DONE, 0, DONE.length)) {
      passOn(true);
      draining = true;
      end.complete(new StreamEnd(usage, finishReason, true));
      return;
    }
    JsonNode chunk = json.readTree(line, from, to - from);
    if (chunk.hasNonNull("error")) {
      passOn(true);
      throw new UpstreamException(provider, status, "provider reported an error mid-stream",
          new String(line, from, to - from, StandardCharsets.UTF_8), null);
    }
    if (chunk.hasNonNull("usage")) {
      usage = TokenUsage.fromOpenAi(chunk.get("usage"));
    }
    JsonNode choices = chunk.path("choices");
    if (choices.isArray() && !choices.isEmpty()) {
      JsonNode finish = choices.path(0).path("finish_reason");
      if (finish.isTextual()) {
        finishReason = finish.asText();
      }
      passOn(true);
      held = (ObjectNode) chunk;
    }
  }

  private void passOn(boolean more) {
    if (held != null) {
      ObjectNode chunk = held;
      held = null;
      sink.chunk(chunk, more);
    }
  }
}
