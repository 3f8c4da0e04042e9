package dev.silkroute.billing.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * UTC days {@code from} to {@code to}, both included: a ledger row belongs to the day of its usage
 * time, {@code coalesce(finished_at, recorded_at)}, the same rule the daily aggregates follow.
 */
public record DateRange(LocalDate from, LocalDate to) {

  public static final int MAX_DAYS = 366;

  public DateRange {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to (" + to + ") is before from (" + from + ")");
    }
    if (days(from, to) > MAX_DAYS) {
      throw new IllegalArgumentException("a range may span at most " + MAX_DAYS + " days");
    }
  }

  public long days() {
    return days(from, to);
  }

  private static long days(LocalDate from, LocalDate to) {
    return ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** First instant of the range. */
  public Instant start() {
    return from.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** First instant after the range. */
  public Instant end() {
    return to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
