package dev.silkroute.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the result files of several {@link RouterOverheadBenchmark} runs (TSV, one row per mode,
 * load and path) into one markdown table of medians: each number is the median over the runs, the
 * error counts are listed run by run (a single failed request matters). Arguments: the TSV files.
 */
public final class BenchmarkMedians {

  static final String[] HEADER = {"mode", "load (req/s)", "path", "p50 ms", "p99 ms", "added p50 ms",
      "added p99 ms", "answered/s", "errors", "sent", "load gen late p99 ms", "CPU µs/req router", "CPU µs/req nginx hop",
      "CPU µs/req mock", "CPU µs/req load gen", "router thread switches/req", "of the router's CPU: JIT µs/req"};
  private static final int ERRORS = 8;

  public static void main(String[] args) throws IOException {
    List<List<String[]>> runs = new ArrayList<>();
    for (String file : args) {
      runs.add(Files.readAllLines(Path.of(file)).stream().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1)).toList());
    }
    System.out.println(markdown(runs));
  }

  /** Each run's rows (the first row being {@link #HEADER}) as one markdown table of medians. */
  static String markdown(List<List<String[]>> runs) {
    Map<String, List<String[]>> byRow = new LinkedHashMap<>();
    for (List<String[]> run : runs) {
      for (String[] row : run.subList(1, run.size())) {
        byRow.computeIfAbsent(row[0] + "|" + row[1] + "|" + row[2], k -> new ArrayList<>()).add(row);
      }
    }
    StringBuilder out = new StringBuilder();
    if (runs.size() > 1) {
      out.append("Medians of ").append(runs.size()).append(" runs (errors: run by run).\n\n");
    }
    out.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
    out.append("|---".repeat(HEADER.length)).append("|\n");
    for (List<String[]> rows : byRow.values()) {
      List<String> cells = new ArrayList<>(Arrays.asList(rows.get(0)).subList(0, 3));
      for (int column = 3; column < HEADER.length; column++) {
        int c = column;
        List<String> values = rows.stream().map(r -> c < r.length ? r[c] : "-").toList();
        cells.add(c == ERRORS ? String.join(" / ", values) : median(values));
      }
      out.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
    return out.toString();
  }

  /** The median of numeric cells, with as many decimals as they have; "-" when none is a number. */
  private static String median(List<String> values) {
    double[] numbers = values.stream().filter(v -> v.matches("-?[0-9.]+")).mapToDouble(Double::parseDouble)
        .sorted().toArray();
    if (numbers.length == 0) {
      return "-";
    }
    int n = numbers.length;
    double median = n % 2 == 1 ? numbers[n / 2] : (numbers[n / 2 - 1] + numbers[n / 2]) / 2;
    String first = values.stream().filter(v -> v.matches("-?[0-9.]+")).findFirst().orElseThrow();
    int decimals = first.contains(".") ? first.length() - first.indexOf('.') - 1 : 0;
    return String.format("%." + decimals + "f", median);
  }
}
