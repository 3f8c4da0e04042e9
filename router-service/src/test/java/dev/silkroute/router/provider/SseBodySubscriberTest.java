package dev.silkroute.router.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

class SseBodySubscriberTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HELLO = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"héllo 世界 🙂\"}}]}\n\n";
  private static final String STOP = "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  private static final String USAGE = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3}}\n\n";
  private static final String DONE = "data: [DONE]\n\n";

  private final List<String> passed = new ArrayList<>();
  private final Subscription subscription = new Subscription();
  private final SseBodySubscriber events = new SseBodySubscriber("upstream", JSON, new ChunkSink() {
    @Override
    public void chunk(ObjectNode chunk) {
      chunk(chunk, false);
    }

    @Override
    public void chunk(ObjectNode chunk, boolean more) {
      String content = chunk.at("/choices/0/delta/content").asText("");
      String finish = chunk.at("/choices/0/finish_reason").asText("");
      passed.add((content.isEmpty() ? finish : content) + (more ? "+" : "."));
    }
  }).answered(200);

  @Test
  void splitsLinesAndCharactersThatStraddleBuffers() throws Exception {
    byte[] body = (": keep-alive\n\n" + HELLO + STOP + USAGE + DONE).getBytes(StandardCharsets.UTF_8);
    events.onSubscribe(subscription);

    // One byte per delivery: every line and every multi-byte character is cut somewhere.
    for (byte b : body) {
      events.onNext(List.of(ByteBuffer.wrap(new byte[] {b})));
    }

    // Each chunk's last byte came alone: nothing else was at hand.
    assertThat(passed).containsExactly("héllo 世界 🙂.", "stop.");
    StreamEnd end = events.end().get();
    assertThat(end.complete()).isTrue();
    assertThat(end.finishReason()).isEqualTo("stop");
    assertThat(end.usage().promptTokens()).isEqualTo(7);
    assertThat(end.usage().completionTokens()).isEqualTo(3);
  }

  @Test
  void passesOnABurstWithAllButItsLastChunkMarkedMore() {
    events.onSubscribe(subscription);

    events.onNext(buffers(HELLO + HELLO.substring(0, 20), HELLO.substring(20) + HELLO + HELLO.substring(0, 9)));
    events.onNext(buffers(HELLO.substring(9)));

    assertThat(passed).containsExactly("héllo 世界 🙂+", "héllo 世界 🙂+", "héllo 世界 🙂.", "héllo 世界 🙂.");
    assertThat(events.end()).isNotDone();
    assertThat(subscription.requested).isEqualTo(3);
  }

  @Test
  void readsCarriageReturnLineBreaksAndIgnoresEventNames() throws Exception {
    events.onSubscribe(subscription);

    events.onNext(buffers("event: message\r\n" + HELLO.replace("\n\n", "\r"), "\n\r\n" + STOP.replace("\n", "\r\n") + "data:[DONE]"));
    events.onComplete();

    assertThat(passed).containsExactly("héllo 世界 🙂+", "stop.");
    assertThat(events.end().get().complete()).isTrue();
  }

  @Test
  void keepsReadingAfterDoneSoTheConnectionCanBeReused() {
    events.onSubscribe(subscription);

    events.onNext(buffers(HELLO + DONE));
    events.onNext(buffers("\n"));
    events.onComplete();

    assertThat(events.end()).isCompletedWithValueMatching(StreamEnd::complete);
    assertThat(subscription.cancelled).isFalse();
    assertThat(subscription.requested).isEqualTo(3);
  }

  @Test
  void failsOnAnErrorChunkWithItsRawDataAfterPassingOnWhatCameBefore() {
    events.onSubscribe(subscription);

    events.onNext(buffers(HELLO + "data: {\"error\":{\"message\":\"overloaded\"}}\n\n" + HELLO));

    assertThat(passed).containsExactly("héllo 世界 🙂+");
    UpstreamException e = failure();
    assertThat(e.getMessage()).isEqualTo("provider reported an error mid-stream");
    assertThat(e.upstreamBody()).isEqualTo("{\"error\":{\"message\":\"overloaded\"}}");
    assertThat(e.status()).isEqualTo(200);
    assertThat(subscription.cancelled).isTrue();
  }

  @Test
  void reportsABrokenConnectionWithTheIoExceptionAsCause() {
    events.onSubscribe(subscription);
    events.onNext(buffers(HELLO + "data: {\"choi"));

    events.onError(new EOFException("EOF reached while reading"));

    assertThat(passed).containsExactly("héllo 世界 🙂.");
    assertThat(failure().getCause()).isInstanceOf(EOFException.class);
  }

  @Test
  void endsIncompleteWhenTheBodyEndsWithoutDone() {
    events.onSubscribe(subscription);
    events.onNext(buffers(HELLO));

    events.onComplete();

    assertThat(events.end()).isCompletedWithValueMatching(end -> !end.complete());
  }

  @Test
  void cancelClosesTheConnectionAndEndsIncomplete() {
    events.onSubscribe(subscription);
    events.onNext(buffers(STOP));

    events.cancel();
    events.onNext(buffers(HELLO));

    assertThat(subscription.cancelled).isTrue();
    assertThat(events.end()).isCompletedWithValueMatching(end -> !end.complete() && "stop".equals(end.finishReason()));
    assertThat(passed).containsExactly("stop.");
  }

  @Test
  void aCancelBeforeTheAnswerRefusesItsBody() {
    events.cancel();

    events.onSubscribe(subscription);

    assertThat(subscription.cancelled).isTrue();
    assertThat(subscription.requested).isZero();
    assertThat(events.end()).isCompletedWithValueMatching(end -> !end.complete());
  }

  private UpstreamException failure() {
    Throwable cause = org.assertj.core.api.Assertions.catchThrowableOfType(
        () -> events.end().get(1, java.util.concurrent.TimeUnit.SECONDS), ExecutionException.class).getCause();
    assertThat(cause).isInstanceOf(UpstreamException.class);
    return (UpstreamException) cause;
  }

  /** The UTF-8 bytes of {@code parts}, one buffer each. */
  private static List<ByteBuffer> buffers(String... parts) {
    return Arrays.stream(parts).map(p -> ByteBuffer.wrap(p.getBytes(StandardCharsets.UTF_8))).toList();
  }

  private static final class Subscription implements Flow.Subscription {
    long requested;
    boolean cancelled;

    @Override
    public void request(long n) {
      requested += n;
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }
}
