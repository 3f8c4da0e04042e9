package dev.silkroute.router.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.silkroute.router.core.Cancellation;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The watch of one streamed attempt, on the real deadline timer with short timeouts: which of the
 * first chunk, the first-byte timeout, a stall and the stream's end wins, and what each one closes.
 */
class AttemptWatchTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private final Cancellation request = new Cancellation();
  private final AtomicInteger timeouts = new AtomicInteger();

  private AttemptWatch watch(Duration firstByte, Duration stall) {
    return new AttemptWatch(request, firstByte, stall, System::nanoTime, timeouts::incrementAndGet, Runnable::run,
        Deadlines.SHARED);
  }

  @Test
  void shouldGiveUpAnAttemptWithoutAFirstChunkAndDropWhatComesAfter() {
    AttemptWatch watch = watch(Duration.ofMillis(50), LONG);

    await().atMost(Duration.ofSeconds(2)).until(() -> timeouts.get() == 1);

    assertThat(watch.upstream().isCancelled()).as("the upstream is closed").isTrue();
    assertThat(watch.chunk()).as("a late chunk must not reach the client").isFalse();
    assertThat(watch.end()).as("the request moved on: the end is ignored").isFalse();
    assertThat(request.isCancelled()).as("only the attempt, not the request").isFalse();
  }

  /** On an event loop, the request's timers are the loop's: they fire there, and a cancelled one never does. */
  @Test
  void aRequestOnAnEventLoopKeepsItsTimersOnThatLoop() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      EventExecutor loop = group.next();
      Deadlines.Timers timers = Deadlines.on(loop);
      CompletableFuture<Thread> timedOutOn = new CompletableFuture<>();
      CompletableFuture<AttemptWatch> late = new CompletableFuture<>();
      CompletableFuture<AttemptWatch> answered = new CompletableFuture<>();
      loop.execute(() -> {
        late.complete(new AttemptWatch(request, Duration.ofMillis(50), LONG, System::nanoTime,
            () -> timedOutOn.complete(Thread.currentThread()), ChatRouter.orInline(loop), timers));
        AttemptWatch quick = new AttemptWatch(new Cancellation(), Duration.ofMillis(50), LONG, System::nanoTime,
            timeouts::incrementAndGet, ChatRouter.orInline(loop), timers);
        quick.whole();
        answered.complete(quick);
      });

      assertThat(loop.inEventLoop(timedOutOn.get(2, TimeUnit.SECONDS))).isTrue();
      assertThat(late.get().upstream().isCancelled()).isTrue();
      await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> timeouts.get() == 0);
      assertThat(answered.get().upstream().isCancelled()).isFalse();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldNotTimeOutOnceTheFirstChunkCame() {
    AttemptWatch watch = watch(Duration.ofMillis(100), LONG);

    assertThat(watch.chunk()).isTrue();

    // Well past the first-byte timeout, which must not fire now.
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> timeouts.get() == 0);
    assertThat(watch.upstream().isCancelled()).isFalse();
    assertThat(watch.end()).isTrue();
  }

  @Test
  void shouldEndAStreamThatGoesSilentButNotOneThatKeepsTalking() throws Exception {
    AttemptWatch watch = watch(LONG, Duration.ofMillis(500));
    assertThat(watch.chunk()).isTrue();
    for (int i = 0; i < 10; i++) { // a chunk every 100 ms for a second: never 500 ms of silence
      Thread.sleep(100);
      assertThat(watch.chunk()).isTrue();
    }
    assertThat(watch.stalled()).isFalse();

    await().atMost(Duration.ofSeconds(2)).until(watch::stalled);

    assertThat(watch.upstream().isCancelled()).isTrue();
    assertThat(watch.chunk()).isFalse();
    assertThat(watch.end()).as("the stalled stream's end is handled: error chunk and billing").isTrue();
    assertThat(watch.stalled()).isTrue();
  }

  @Test
  void shouldCloseTheAttemptsUpstreamWhenTheClientGoesAway() {
    AttemptWatch watch = watch(LONG, LONG);

    request.cancel();

    assertThat(watch.upstream().isCancelled()).isTrue();
  }

  @Test
  void shouldLetAnEndBeforeTheTimeoutWinOverIt() {
    AttemptWatch watch = watch(Duration.ofMillis(100), LONG);

    assertThat(watch.end()).isTrue();

    // The timer was cancelled with the end.
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> timeouts.get() == 0);
    assertThat(watch.upstream().isCancelled()).isFalse();
  }
}
