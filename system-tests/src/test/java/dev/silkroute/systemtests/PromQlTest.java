package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {

  @Test
  void findsTheMetricsInsideFunctionsAndAggregations() {
    assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, model) "
        + "(rate(silkroute_router_ttft_seconds_bucket{model=~\"deepseek/.*\"}[$__rate_interval])))"))
        .containsExactly("silkroute_router_ttft_seconds_bucket");
  }

  @Test
  void ignoresNumbersKeywordsAndLabelValues() {
    assertThat(PromQl.metricNames("1 - sum(increase(a_total[24h])) / sum without (x) (b_total{status=\"error\"}) * 1e6"
        + " or vector(0) > bool 2 unless on (job) c"))
        .containsExactly("a_total", "b_total", "c");
  }
}
