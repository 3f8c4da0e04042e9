package dev.silkroute.providersim;

import com.sun.net.httpserver.HttpServer;
import dev.silkroute.providersim.internal.http.SimRoutes;
import dev.silkroute.providersim.internal.provider.ProviderState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A running simulator: one port, any number of named providers. For tests:
 *
 * <pre>{@code
 * try (ProviderSim sim = ProviderSim.start(0, List.of(ProviderConfig.openai("deepseek")))) {
 *   OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(sim.baseUrl("deepseek")).apiKey("x").build();
 *   sim.update("deepseek", k -> k.toBuilder().errorRate(1.0).build());
 * }
 * }</pre>
 */
public final class ProviderSim implements AutoCloseable {

  /** Deep enough for the bursts of connections a benchmark opens at once. */
  private static final int BACKLOG = 1024;

  static {
    // The JDK server buffers small writes (Nagle) unless told otherwise, which delays SSE chunks by up
    // to 40 ms. Read once per JVM when the server classes load, so it has to be set before the first.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final CountDownLatch closing;
  private final Map<String, ProviderState> providers;
  private final String host;

  private ProviderSim(HttpServer server, ExecutorService executor, CountDownLatch closing,
      Map<String, ProviderState> providers, String host) {
    this.server = server;
    this.executor = executor;
    this.closing = closing;
    this.providers = providers;
    this.host = host;
  }

  /** Starts on 127.0.0.1; {@code port} 0 picks a free port. */
  public static ProviderSim start(int port, List<ProviderConfig> providers) {
    return start("127.0.0.1", port, providers, Clock.systemUTC());
  }

  /** Starts on 127.0.0.1 with the bundled default providers ({@link SimConfig#defaults()}). */
  public static ProviderSim startDefaults(int port) {
    return start(port, SimConfig.defaults().providers());
  }

  /**
   * @param host address to bind, e.g. 0.0.0.0 to be reachable from other machines
   * @param clock source of the {@code created} timestamps
   */
  public static ProviderSim start(String host, int port, List<ProviderConfig> providers, Clock clock) {
    SimConfig checked = new SimConfig(port, providers);
    if (checked.providers().isEmpty()) {
      throw new IllegalArgumentException("provider-sim needs at least one provider");
    }
    Map<String, ProviderState> states = new LinkedHashMap<>();
    checked.providers().forEach(p -> states.put(p.name(), new ProviderState(p)));
    Map<String, ProviderState> frozen = Collections.unmodifiableMap(states);
    CountDownLatch closing = new CountDownLatch(1);
    // Cached, not fixed: every open stream and every hung request holds a thread while it sleeps, and a
    // benchmark holds hundreds at once; idle threads go away after a minute.
    ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
    keepIdleConnections();
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(host, port), BACKLOG);
      server.createContext("/", new SimRoutes(frozen, clock, closing));
      server.setExecutor(executor);
      server.start();
      return new ProviderSim(server, executor, closing, frozen, host);
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("provider-sim cannot listen on " + host + ":" + port, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://host:port}, with 127.0.0.1 for a wildcard bind. */
  public String url() {
    String reachable = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return "http://" + reachable + ":" + port();
  }

  /**
   * The provider's base URL as SDKs want it, {@code http://127.0.0.1:PORT/deepseek/v1}: append {@code
   * /chat/completions} or {@code /messages}. (Anthropic's SDK appends {@code /v1/messages} itself: give
   * it {@link #url()} + "/" + name.)
   */
  public String baseUrl(String provider) {
    return url() + "/" + state(provider).name() + "/v1";
  }

  /** Every provider with its current knobs, in configuration order. */
  public List<ProviderConfig> providers() {
    return providers.values().stream().map(ProviderState::config).toList();
  }

  public Knobs knobs(String provider) {
    return state(provider).knobs();
  }

  /** Replaces the provider's knobs; its fault sequence starts again at 0. */
  public void update(String provider, Knobs knobs) {
    state(provider).update(knobs);
  }

  public void update(String provider, UnaryOperator<Knobs> change) {
    ProviderState state = state(provider);
    state.update(change.apply(state.knobs()));
  }

  /** Chat requests the provider received since start, including the ones it failed or hung. */
  public long requestCount(String provider) {
    return state(provider).requestCount();
  }

  /**
   * Streamed answers the provider is sending now. A stream whose client hangs up stops counting at
   * the first write that finds the connection closed (with a paced stream, within a token or two).
   */
  public int openStreams(String provider) {
    return state(provider).openStreams();
  }

  /** The provider's last requests (at most 64), oldest first. */
  public List<RecordedRequest> recentRequests(String provider) {
    return state(provider).recentRequests();
  }

  /** Stops listening, drops open connections and releases hung requests. */
  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
  }

  private ProviderState state(String provider) {
    ProviderState state = providers.get(provider);
    if (state == null) {
      throw new IllegalArgumentException("no provider '" + provider + "'; known: " + providers.keySet());
    }
    return state;
  }

  /**
   * The JDK's server closes a finished keep-alive connection when 200 are already idle, so at a
   * few hundred requests/s a client reuses connections the server is closing and sees "no bytes"
   * failures no real provider's server would cause. Must be set before the first HttpServer of
   * the JVM reads its configuration; an explicit setting wins.
   */
  private static void keepIdleConnections() {
    if (System.getProperty("sun.net.httpserver.maxIdleConnections") == null) {
      System.setProperty("sun.net.httpserver.maxIdleConnections", "10000");
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "provider-sim-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
