package dev.silkroute.providersim.internal.provider;

import dev.silkroute.providersim.Knobs;
import dev.silkroute.providersim.ProviderConfig;
import dev.silkroute.providersim.RecordedRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** A running simulated provider: its configuration, current knobs, counters and recent requests. */
public final class ProviderState {

  /** Enough to inspect the last few calls of a test without growing under a benchmark. */
  private static final int RECENT_LIMIT = 64;

  private final ProviderConfig config;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger openStreams = new AtomicInteger();
  private final Deque<RecordedRequest> recent = new ArrayDeque<>();
  /** Knobs and their fault sequence change together, so a fresh setting restarts its failure pattern. */
  private volatile Setting setting;

  public ProviderState(ProviderConfig config) {
    this.config = config;
    this.setting = new Setting(config.knobs(), new AtomicLong());
  }

  public String name() {
    return config.name();
  }

  public ProviderConfig config() {
    return config.withKnobs(setting.knobs);
  }

  public Knobs knobs() {
    return setting.knobs;
  }

  public void update(Knobs knobs) {
    setting = new Setting(knobs, new AtomicLong());
  }

  public boolean acceptsModel(String model) {
    return config.models().isEmpty() || config.models().contains(model);
  }

  /** Counts and records an arriving request; returns the knobs to use and its fault sequence number. */
  public Arrival arrive(RecordedRequest request) {
    requests.incrementAndGet();
    synchronized (recent) {
      if (recent.size() == RECENT_LIMIT) {
        recent.removeFirst();
      }
      recent.addLast(request);
    }
    Setting current = setting;
    return new Arrival(current.knobs, current.sequence.getAndIncrement());
  }

  public long requestCount() {
    return requests.get();
  }

  /** A streamed answer began (it counts from before its first token to its last write). */
  public void streamOpened() {
    openStreams.incrementAndGet();
  }

  /** A streamed answer ended: finished, cut on purpose, or its client went away. */
  public void streamClosed() {
    openStreams.decrementAndGet();
  }

  public int openStreams() {
    return openStreams.get();
  }

  public List<RecordedRequest> recentRequests() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  /** @param sequence 0 for the first request after the knobs were (re)set */
  public record Arrival(Knobs knobs, long sequence) {
    public Fault fault() {
      return Fault.draw(knobs, sequence);
    }
  }

  private record Setting(Knobs knobs, AtomicLong sequence) {}
}
