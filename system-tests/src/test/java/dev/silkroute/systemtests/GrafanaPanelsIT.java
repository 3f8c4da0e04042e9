package dev.silkroute.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric a Grafana panel in deploy/grafana queries is exposed by a running service once the
 * stack has served real requests: a renamed metric, or a panel that names one nobody exports, fails
 * here rather than as an empty graph in production.
 */
class GrafanaPanelsIT {

  private static LiveStack stack;

  @BeforeAll
  static void startAndServe() throws Exception {
    stack = LiveStack.start("grafana");
    stack.serveTraffic();
  }

  @AfterAll
  static void stop() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyPanelQueriesOnlyMetricsTheServicesExpose() throws Exception {
    Map<String, Set<String>> wanted = panelMetrics();
    assertThat(wanted).as("metrics named by the dashboards").hasSizeGreaterThan(20);

    String exposition = stack.scrapeAll();
    Set<String> exposed = exposition.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));

    Map<String, Set<String>> missing = new TreeMap<>();
    wanted.forEach((metric, panels) -> {
      if (!exposed.contains(metric)) {
        missing.put(metric, panels);
      }
    });
    assertThat(missing).as("metrics queried by panels (-> panels) but exposed by no service").isEmpty();
  }

  @Test
  void theDashboardsCoverWhatOperatorsWatch() throws Exception {
    Set<String> titles = new TreeSet<>();
    for (Path file : dashboardFiles()) {
      titles.add(LiveStack.JSON.readTree(file.toFile()).get("title").asText());
    }
    assertThat(titles).containsExactlyInAnyOrder("Silkroute — traffic and latency", "Silkroute — cost and spend",
        "Silkroute — market share", "Silkroute — provider health", "Silkroute — workers");
  }

  /** Metric name -> "dashboard / panel" titles that query it. */
  private static Map<String, Set<String>> panelMetrics() throws IOException {
    Map<String, Set<String>> metrics = new TreeMap<>();
    for (Path file : dashboardFiles()) {
      JsonNode dashboard = LiveStack.JSON.readTree(file.toFile());
      for (JsonNode panel : panels(dashboard)) {
        for (JsonNode target : panel.path("targets")) {
          String expr = target.path("expr").asText("");
          assertThat(expr).as(file.getFileName() + " / " + panel.path("title").asText()).isNotBlank();
          for (String metric : PromQl.metricNames(expr)) {
            metrics.computeIfAbsent(metric, k -> new TreeSet<>())
                .add(dashboard.get("title").asText() + " / " + panel.path("title").asText());
          }
        }
      }
    }
    return metrics;
  }

  /** Panels at any depth (rows nest theirs). */
  private static List<JsonNode> panels(JsonNode node) {
    List<JsonNode> all = new ArrayList<>();
    for (JsonNode panel : node.path("panels")) {
      all.add(panel);
      all.addAll(panels(panel));
    }
    return all;
  }

  private static List<Path> dashboardFiles() throws IOException {
    Path dir = Path.of(System.getProperty("silkroute.grafana.dir")).resolve("dashboards");
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> json = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
      assertThat(json).as("dashboards in " + dir).isNotEmpty();
      return json;
    }
  }
}
