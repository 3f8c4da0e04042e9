package dev.silkroute.router.chat;

import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.ChatRequest;
import dev.silkroute.router.provider.UpstreamException;
import dev.silkroute.router.routing.EndpointStats;
import dev.silkroute.router.routing.RoutingOptions;
import dev.silkroute.router.routing.UpstreamTimeouts;
import io.netty.util.concurrent.EventExecutor;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The timers of a request's attempts: each attempt's first-byte timeout (by {@link UpstreamTimeouts},
 * from its endpoint's measured record) and a stream's stall timeout. A request on a Netty event loop
 * keeps its timers on that loop ({@link #on}): setting and cancelling one there is a queue operation
 * of the thread already running, where a timer thread had to be woken for nearly every request (a new
 * first-byte timer is usually the earliest), and a timer that fires runs where its work is. Elsewhere
 * one daemon thread serves every timer in the JVM; it only flips state and hands the work on.
 */
public final class Deadlines {

  /** Cancelled timers leave the queue at once: nearly every first-byte timer is cancelled. */
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final UpstreamTimeouts timeouts;
  private final Function<Endpoint, EndpointStats> stats;

  public Deadlines(UpstreamTimeouts timeouts, Function<Endpoint, EndpointStats> stats) {
    this.timeouts = timeouts;
    this.stats = stats;
  }

  /** The first-byte timeout of an attempt at {@code endpoint} for {@code request}. */
  Duration firstByte(Endpoint endpoint, Model model, ChatRequest request, RoutingOptions options, boolean last) {
    boolean reasoning = model.details().supportedParameters().contains("reasoning");
    return timeouts.firstByte(endpoint, stats.apply(endpoint), new UpstreamTimeouts.Ask(request.stream(),
        Math.max(1, request.promptChars() / 4), reasoning, options.provider().preferredMaxLatencyMs(), last));
  }

  Duration stall() {
    return timeouts.stall();
  }

  /** The endpoint's measured record, which a hedge's delay follows too. */
  EndpointStats stats(Endpoint endpoint) {
    return stats.apply(endpoint);
  }

  /** Sets timers for one request. */
  interface Timers {

    /** Runs {@code task} after {@code delay}, unless cancelled first. */
    ScheduledFuture<?> schedule(Duration delay, Runnable task);
  }

  /** The timer thread's timers, for a request off any event loop. */
  static final Timers SHARED = (delay, task) -> TIMER.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);

  /**
   * Timers on {@code continueOn} where it is a Netty event loop (the timer thread's when that loop
   * refuses work: it is shutting down), else the timer thread's.
   */
  static Timers on(Executor continueOn) {
    if (!(continueOn instanceof EventExecutor loop)) {
      return SHARED;
    }
    return (delay, task) -> {
      try {
        return loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException shuttingDown) {
        return SHARED.schedule(delay, task);
      }
    };
  }

  static UpstreamException timedOut(Endpoint endpoint, Duration timeout) {
    return new UpstreamException(endpoint.provider(), 0, "provider sent nothing within its first-byte timeout of "
        + timeout.toMillis() + " ms", null, new HttpTimeoutException("first-byte timeout"));
  }

  /** A request's first leg that sent nothing before the hedge started after it: late as a first-byte timeout is. */
  static UpstreamException beatenByHedge(Endpoint endpoint) {
    return new UpstreamException(endpoint.provider(), 0, "provider sent nothing before the request's hedge did",
        null, new HttpTimeoutException("beaten by the hedge"));
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "upstream-deadlines");
      thread.setDaemon(true);
      return thread;
    });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
