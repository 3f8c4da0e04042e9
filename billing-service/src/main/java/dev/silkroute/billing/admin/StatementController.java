package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.Account;
import dev.silkroute.billing.account.Customers;
import dev.silkroute.billing.report.DateRange;
import dev.silkroute.billing.report.Usd;
import dev.silkroute.billing.report.UsageReports;
import dev.silkroute.billing.report.UsageReports.LineItem;
import dev.silkroute.billing.report.UsageReports.Statement;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;

/**
 * A customer's statement for a period of UTC days: line items by model and provider from the
 * daily aggregates, whose totals equal the ledger summed over the same days.
 */
@Controller("/admin/customers/{id}/statement")
@ExecuteOn(TaskExecutors.BLOCKING)
final class StatementController {

  private static final int DEFAULT_DAYS = 30;

  private final Customers customers;
  private final UsageReports reports;
  private final Clock clock;

  StatementController(Customers customers, UsageReports reports, Clock clock) {
    this.customers = customers;
    this.reports = reports;
    this.clock = clock;
  }

  record Line(String model, String provider, long requests, long promptTokens,
      long completionTokens, long amountMicros, BigDecimal amountUsd) {
  }

  record Totals(long requests, long promptTokens, long completionTokens, long amountMicros,
      BigDecimal amountUsd, long creditsGrantedMicros) {
  }

  record StatementView(String object, String customerId, String customerName, LocalDate from,
      LocalDate to, String currency, List<Line> lineItems, Totals totals) {
  }

  @Get
  HttpResponse<?> statement(String id, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to, @Nullable @QueryValue String format) {
    String f = format == null || format.isBlank() ? "json" : format.trim();
    if (!f.equals("json") && !f.equals("csv")) {
      throw ApiException.badRequest("format must be json or csv.", "format");
    }
    DateRange range = QueryValues.dateRange(from, to, DEFAULT_DAYS, clock);
    Account account = customers.account(id)
        .orElseThrow(() -> ApiException.notFound("No customer " + id + ".", "id"));
    Statement s = reports.statement(id, range);
    List<Line> lines = s.lineItems().stream().map(StatementController::line).toList();
    Totals totals = new Totals(s.total().requests(), s.total().promptTokens(),
        s.total().completionTokens(), s.total().priceMicros(), Usd.of(s.total().priceMicros()),
        s.creditsGrantedMicros());
    StatementView view = new StatementView("statement", id, account.name(), range.from(),
        range.to(), "USD", lines, totals);
    if (f.equals("json")) {
      return HttpResponse.ok(view);
    }
    String filename = "statement-" + id + "-" + range.from() + "-" + range.to() + ".csv";
    return HttpResponse.ok(csv(view))
        .contentType(new MediaType("text/csv; charset=utf-8"))
        .header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  }

  private static Line line(LineItem item) {
    return new Line(item.model(), item.provider(), item.usage().requests(),
        item.usage().promptTokens(), item.usage().completionTokens(), item.usage().priceMicros(),
        Usd.of(item.usage().priceMicros()));
  }

  /** RFC 4180: one header, one row per line item, then a TOTAL row. */
  static String csv(StatementView v) {
    StringBuilder out = new StringBuilder("customer_id,from,to,model,provider,requests,"
        + "prompt_tokens,completion_tokens,amount_micros,amount_usd\r\n");
    for (Line l : v.lineItems()) {
      row(out, v, l.model(), l.provider(), l.requests(), l.promptTokens(), l.completionTokens(),
          l.amountMicros(), l.amountUsd());
    }
    Totals t = v.totals();
    row(out, v, "TOTAL", "", t.requests(), t.promptTokens(), t.completionTokens(),
        t.amountMicros(), t.amountUsd());
    return out.toString();
  }

  private static void row(StringBuilder out, StatementView v, String model, String provider,
      long requests, long prompt, long completion, long micros, BigDecimal usd) {
    out.append(field(v.customerId())).append(',').append(v.from()).append(',').append(v.to())
        .append(',').append(field(model)).append(',').append(field(provider)).append(',')
        .append(requests).append(',').append(prompt).append(',').append(completion).append(',')
        .append(micros).append(',').append(usd.toPlainString()).append("\r\n");
  }

  static String field(String s) {
    // A leading = + - @ would be run as a formula by spreadsheets: prefix it with a quote.
    String safe = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    if (safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")) {
      return "\"" + safe.replace("\"", "\"\"") + "\"";
    }
    return safe;
  }
}
