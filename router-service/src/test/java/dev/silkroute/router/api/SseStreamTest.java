package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.router.core.RouterError;
import dev.silkroute.router.core.RouterException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SseStreamTest {

  private static ObjectNode n(int n) {
    return JsonNodeFactory.instance.objectNode().put("n", n);
  }

  private static ObjectNode error() {
    ObjectNode chunk = JsonNodeFactory.instance.objectNode();
    chunk.putObject("error");
    return chunk;
  }

  @Test
  void eventsAtHandTogetherLeaveAsOneFrame() {
    SseStream stream = new SseStream(Runnable::run);
    stream.chunk(n(1), true);
    stream.chunk(n(2), true);
    stream.chunk(n(3), false);
    stream.chunk(n(4));
    stream.chunk(n(5), true);
    stream.done();
    assertThat(stream.committed(Duration.ofSeconds(1))).isCompletedWithValue(true);

    List<String> frames = stream.body(Duration.ofMinutes(1)).map(SseStreamTest::text).collectList().block(Duration.ofSeconds(5));

    assertThat(frames).containsExactly(
        "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\n",
        "data: {\"n\":4}\n\n",
        "data: {\"n\":5}\n\ndata: [DONE]\n\n");
  }

  @Test
  void aHeldEventDoesNotCommitTheResponse() {
    SseStream stream = new SseStream(Runnable::run);
    stream.chunk(n(1), true);
    stream.failed(new RouterException(RouterError.unauthorized("no")), error());

    assertThat(stream.committed(Duration.ofSeconds(1))).failsWithin(Duration.ofSeconds(1))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(RouterException.class);
  }

  @Test
  void commitsWithKeepAlivesOnceTheBoundPassesWithoutAnEvent() {
    SseStream stream = new SseStream(Runnable::run);

    assertThat(stream.committed(Duration.ofMillis(50))).succeedsWithin(Duration.ofSeconds(2)).isEqualTo(false);
    stream.failed(new RouterException(RouterError.unauthorized("no")), error());

    List<String> frames = stream.body(Duration.ofMinutes(1)).map(SseStreamTest::text).collectList().block(Duration.ofSeconds(5));
    assertThat(frames).containsExactly("data: {\"error\":{}}\n\n", "data: [DONE]\n\n");
  }

  @Test
  void theCommitBoundOnTheRequestsTimersIsCancelledByTheFirstEvent() {
    java.util.concurrent.ScheduledThreadPoolExecutor timers = new java.util.concurrent.ScheduledThreadPoolExecutor(1);
    timers.setRemoveOnCancelPolicy(true);
    try {
      SseStream early = new SseStream(Runnable::run);
      var committed = early.committed(Duration.ofMinutes(1), timers);
      assertThat(timers.getQueue()).hasSize(1);
      early.chunk(n(1));
      assertThat(committed).isCompletedWithValue(true);
      assertThat(timers.getQueue()).isEmpty(); // no timer left to wake a thread later

      SseStream late = new SseStream(Runnable::run);
      assertThat(late.committed(Duration.ofMillis(50), timers)).succeedsWithin(Duration.ofSeconds(2)).isEqualTo(false);
      late.chunk(n(2));
      late.done();
      List<String> frames = late.body(Duration.ofMinutes(1)).map(SseStreamTest::text).collectList()
          .block(Duration.ofSeconds(5));
      assertThat(frames).containsExactly("data: {\"n\":2}\n\n", "data: [DONE]\n\n");
    } finally {
      timers.shutdownNow();
    }
  }

  @Test
  void aClientThatGoesAwayFiresTheCancellation() {
    SseStream stream = new SseStream(Runnable::run);
    AtomicBoolean told = new AtomicBoolean();
    stream.cancellation().onCancel(() -> told.set(true));
    stream.chunk(n(1));

    stream.body(Duration.ofMinutes(1)).take(1).blockLast(Duration.ofSeconds(5));

    assertThat(told).isTrue();
    assertThat(stream.cancellation().isCancelled()).isTrue();
  }

  @Test
  void namedEventsGoOutWithTheirNameAndTheStreamEndsWithoutDone() {
    SseStream stream = new SseStream(Runnable::run);
    stream.event("response.created", n(1), true);
    stream.event("response.completed", n(2), false);
    stream.end();

    List<String> frames = stream.body(Duration.ofMinutes(1)).map(SseStreamTest::text).collectList().block(Duration.ofSeconds(5));

    assertThat(frames).containsExactly(
        "event: response.created\ndata: {\"n\":1}\n\nevent: response.completed\ndata: {\"n\":2}\n\n");
  }

  @Test
  void aFailureAfterTheStartIsLeftToTheCaller() {
    SseStream stream = new SseStream(Runnable::run);
    assertThat(stream.committed(Duration.ofMillis(1)).join()).isFalse(); // started with keep-alives

    assertThat(stream.failedBeforeStart(new RouterException(RouterError.unauthorized("no")))).isFalse();
  }

  private static String text(byte[] frame) {
    return new String(frame, java.nio.charset.StandardCharsets.UTF_8);
  }
}
