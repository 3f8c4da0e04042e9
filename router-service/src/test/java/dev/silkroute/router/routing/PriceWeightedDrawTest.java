package dev.silkroute.router.routing;

import static dev.silkroute.router.routing.Fixtures.endpoint;
import static dev.silkroute.router.routing.Fixtures.model;
import static dev.silkroute.router.routing.Fixtures.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.silkroute.router.catalog.Catalog;
import dev.silkroute.router.catalog.Endpoint;
import dev.silkroute.router.catalog.Model;
import dev.silkroute.router.core.ChatRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceWeightedDrawTest {

  /** Chi-square with 2 degrees of freedom exceeds this with probability 0.001 when the draw is right. */
  private static final double CHI_SQUARE_2DF_P001 = 13.816;

  @Test
  void tenThousandDecisionsFollowInverseSquarePrices() {
    Endpoint one = endpoint("one", "1");
    Endpoint two = endpoint("two", "2");
    Endpoint three = endpoint("three", "3");
    Model model = model(List.of(three, one, two));
    Fixtures.Core core = new Fixtures.Core(20260101, new Catalog(List.of(model)));
    ChatRequest request = request("{\"model\":\"a/m\",\"messages\":[]}");

    int decisions = 10_000;
    long[] firsts = new long[3];
    for (int i = 0; i < decisions; i++) {
      Endpoint first = core.order.decide(model, model.endpoints(), request).endpoints().get(0);
      firsts[first == one ? 0 : first == two ? 1 : 2]++;
    }

    double[] weights = {1.0, 1.0 / 4, 1.0 / 9};
    double total = weights[0] + weights[1] + weights[2];
    double chiSquare = 0;
    for (int i = 0; i < 3; i++) {
      double expected = decisions * weights[i] / total;
      chiSquare += Math.pow(firsts[i] - expected, 2) / expected;
    }
    // Expected 7347 / 1837 / 816.
    assertThat(chiSquare).as("chi-square of %s", java.util.Arrays.toString(firsts)).isLessThan(CHI_SQUARE_2DF_P001);
    assertThat(firsts[0]).isBetween(7_100L, 7_600L);
  }

  @Test
  void theDrawIsOnlyAmongTheBestHealthClass() {
    Endpoint one = endpoint("one", "1");
    Endpoint two = endpoint("two", "2");
    Model model = model(List.of(one, two));
    Fixtures.Core core = new Fixtures.Core(7, new Catalog(List.of(model)));
    core.traffic(one, 90, 10, 100, 10); // degraded: never drawn first while a healthy endpoint exists
    ChatRequest request = request("{\"model\":\"a/m\",\"messages\":[]}");

    for (int i = 0; i < 200; i++) {
      assertThat(core.order.decide(model, model.endpoints(), request).endpoints()).containsExactly(two, one);
    }
  }
}
