package dev.silkroute.systemtests;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. Not a parser: it blanks out what cannot be a metric
 * name (strings, label matchers, range selectors, grouping clauses, numbers), then keeps the
 * identifiers that are not functions, aggregations or keywords.
 */
final class PromQl {

  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w:])[0-9][0-9.]*(?:[eE][+-]?[0-9]+)?");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2");

  private PromQl() {
  }

  static Set<String> metricNames(String expr) {
    String rest = STRING.matcher(expr).replaceAll(" ");
    rest = VARIABLE.matcher(rest).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    rest = NUMBER.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String word = m.group();
      int next = m.end();
      while (next < rest.length() && Character.isWhitespace(rest.charAt(next))) {
        next++;
      }
      boolean call = next < rest.length() && rest.charAt(next) == '(';
      if (!call && !KEYWORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }
}
