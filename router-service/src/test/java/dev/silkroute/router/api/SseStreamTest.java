package dev.silkroute.router.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseStreamTest {

  @Test
  void eventsAtHandTogetherLeaveAsOneFrame() throws InterruptedException {
    SseStream stream = new SseStream();
    stream.data("{\"n\":1}", true);
    stream.data("{\"n\":2}", true);
    stream.data("{\"n\":3}", false);
    stream.data("{\"n\":4}");
    stream.data("{\"n\":5}", true);
    stream.done();
    stream.awaitCommit(Duration.ofSeconds(1));

    List<String> frames = stream.body(Duration.ofMinutes(1)).collectList().block(Duration.ofSeconds(5));

    assertThat(frames).containsExactly(
        "data: {\"n\":1}\n\ndata: {\"n\":2}\n\ndata: {\"n\":3}\n\n",
        "data: {\"n\":4}\n\n",
        "data: {\"n\":5}\n\ndata: [DONE]\n\n");
  }

  @Test
  void aHeldEventDoesNotCommitTheResponse() throws InterruptedException {
    SseStream stream = new SseStream();
    stream.data("{\"n\":1}", true);
    stream.failed(new ApiException(ApiError.unauthorized("no")), "{\"error\":{}}");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> stream.awaitCommit(Duration.ofSeconds(1)))
        .isInstanceOf(ApiException.class);
  }
}
