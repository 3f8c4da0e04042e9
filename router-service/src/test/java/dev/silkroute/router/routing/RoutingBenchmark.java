package dev.silkroute.router.routing;

import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.DataPolicy;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.catalog.Pricing;
import dev.silkroute.router.core.ChatRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One routing decision over 50 candidates (filter, health, order, weighted draw), with statistics
 * (and a token mix: cached share, answer length) for every endpoint. {@code default} draws by the
 * effective cost, {@code list-price} by the list price as before it ({@code effective-cost} off). Run by hand: see docs/benchmarks/routing.md. Not a test: never run by verify.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {

  @Param({"default", "list-price", "provider-options", "sort-latency"})
  public String request;

  private MarketOrder order;
  private Model model;
  private ChatRequest chat;

  @Setup
  public void setUp() throws Exception {
    Clock clock = Clock.systemUTC();
    TrafficStats stats = new TrafficStats(new LocalStatsBuckets(clock), clock);
    EndpointBoard board = new EndpointBoard(GuardSettings.ofDefaults(), stats, clock);
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Pricing price = new Pricing(100_000 + i * 37_000L, 300_000 + i * 91_000L, 50_000);
      Endpoint e = new Endpoint("p" + i + "/a/m", "p" + i, Endpoint.Protocol.OPENAI,
          java.net.URI.create("http://p" + i + "/v1"), "m", java.util.Optional.empty(), price, price,
          new Endpoint.Traits(i % 3 == 0 ? "fp8" : "bf16", 0, 0, 0, new DataPolicy(false, i % 4 == 0),
              Set.of("tools", "temperature"), -1));
      endpoints.add(e);
      for (int r = 0; r < 20; r++) {
        stats.record(e, r < 19 || i % 5 != 0 ? Outcome.OK : Outcome.PROVIDER_ERROR, 900 + i * 10, 200 + i * 7,
            100, 1000 + i * 20);
        stats.usage(e.id(), 2_000 + i * 10, 150 + i, i % 2 == 0 ? 1_500 : 0);
      }
    }
    stats.refresh();
    // A catalog lists endpoints in no price order: neither sort key starts out sorted.
    java.util.Collections.shuffle(endpoints, new java.util.Random(18));
    model = new Model("a/m", "A M", 128_000, endpoints);
    Catalog catalog = new Catalog(List.of(model));
    SplittableRandom random = new SplittableRandom(1);
    order = new MarketOrder(board, new StickySessions(clock, Duration.ofMinutes(10)), () -> catalog,
        random::nextDouble, System::nanoTime, new OrderRules(!request.equals("list-price"), true));
    String body = switch (request) {
      case "provider-options" -> "{\"model\":\"a/m\",\"messages\":[],\"provider\":{\"data_collection\":\"deny\","
          + "\"quantizations\":[\"fp8\",\"bf16\"],\"ignore\":[\"p3\"],\"max_price\":{\"prompt\":2}}}";
      case "sort-latency" -> "{\"model\":\"a/m\",\"messages\":[],\"provider\":{\"sort\":\"latency\"}}";
      default -> "{\"model\":\"a/m\",\"messages\":[]}";
    };
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(body);
    chat = new ChatRequest("a/m", false, java.util.OptionalLong.empty(), node, 10);
  }

  @Benchmark
  public RouteDecision decide() {
    return order.decide(model, model.endpoints(), chat);
  }
}
