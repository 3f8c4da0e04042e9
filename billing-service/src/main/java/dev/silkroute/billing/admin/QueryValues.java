package dev.silkroute.billing.admin;

import dev.silkroute.billing.report.DateRange;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Query parameters read strictly, answering 400 that names the parameter. */
public final class QueryValues {

  private QueryValues() {
  }

  /**
   * {@code from} and {@code to} as {@code YYYY-MM-DD} (UTC, both included); each defaults from
   * the other or from today, covering {@code defaultDays}.
   */
  public static DateRange dateRange(String from, String to, int defaultDays, Clock clock) {
    LocalDate end = to == null || to.isBlank()
        ? (from == null || from.isBlank()
            ? LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC)
            : date("from", from).plusDays(defaultDays - 1L))
        : date("to", to);
    LocalDate start = from == null || from.isBlank() ? end.minusDays(defaultDays - 1L)
        : date("from", from);
    try {
      return new DateRange(start, end);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage() + ".", "to");
    }
  }

  static LocalDate date(String name, String raw) {
    try {
      return LocalDate.parse(raw.trim());
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be a date as YYYY-MM-DD.", name);
    }
  }

  static int integer(String name, String raw, int defaultValue, int min, int max) {
    if (raw == null || raw.isBlank()) {
      return defaultValue;
    }
    try {
      int n = Integer.parseInt(raw.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max + ".",
        name);
  }
}
