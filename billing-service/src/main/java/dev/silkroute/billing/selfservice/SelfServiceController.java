package dev.silkroute.billing.selfservice;

import dev.silkroute.billing.account.Account;
import dev.silkroute.billing.account.ApiKey;
import dev.silkroute.billing.account.Customers;
import dev.silkroute.billing.account.KeyLimits;
import dev.silkroute.billing.admin.QueryValues;
import dev.silkroute.billing.report.DateRange;
import dev.silkroute.billing.report.Usd;
import dev.silkroute.billing.report.UsageReports;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
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
 * What a customer may read with its own API key, shaped like OpenRouter's {@code /api/v1/key}
 * and {@code /api/v1/credits} (dollars as exact decimals, plus micro-USD fields). Only the
 * authenticated key's customer is ever read: no endpoint takes a customer or key id.
 */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING)
final class SelfServiceController {

  private static final int DEFAULT_USAGE_DAYS = 30;

  private final Customers customers;
  private final KeySpend keySpend;
  private final UsageReports reports;
  private final Clock clock;

  SelfServiceController(Customers customers, KeySpend keySpend, UsageReports reports,
      Clock clock) {
    this.customers = customers;
    this.keySpend = keySpend;
    this.reports = reports;
    this.clock = clock;
  }

  record Data<T>(T data) {
  }

  record RateLimit(Integer requests, Long tokens, String interval) {
  }

  record KeyInfo(String keyId, String label, BigDecimal limit, BigDecimal usage,
      BigDecimal limitRemaining, Long limitMicros, long usageMicros, Long limitRemainingMicros,
      boolean isFreeTier, RateLimit rateLimit, List<String> allowedModels, long requests) {
  }

  record Credits(BigDecimal totalCredits, BigDecimal totalUsage, long totalCreditsMicros,
      long totalUsageMicros, long balanceMicros) {
  }

  record UsageRow(LocalDate date, String model, long requests, long promptTokens,
      long completionTokens, BigDecimal cost, long costMicros) {
  }

  record UsageList(String object, LocalDate from, LocalDate to, List<UsageRow> data) {
  }

  @Get(uris = {"/v1/key", "/api/v1/key"})
  Data<KeyInfo> keyInfo(HttpRequest<?> request) {
    ApiKey key = authenticated(request);
    KeySpend.Spent spent = keySpend.of(key.id());
    KeyLimits limits = key.limits();
    Long limit = limits.creditLimitMicros();
    Long remaining = limit == null ? null : Math.max(0, limit - spent.micros());
    return new Data<>(new KeyInfo(key.id(), key.label() != null ? key.label() : key.keyPrefix(),
        limit == null ? null : Usd.of(limit), Usd.of(spent.micros()),
        remaining == null ? null : Usd.of(remaining), limit, spent.micros(), remaining, false,
        new RateLimit(limits.requestsPerMinute(), limits.tokensPerMinute(), "1m"),
        limits.allowedModels(), spent.requests()));
  }

  @Get(uris = {"/v1/credits", "/api/v1/credits"})
  Data<Credits> credits(HttpRequest<?> request) {
    Account a = account(authenticated(request));
    return new Data<>(new Credits(Usd.of(a.creditGrantedMicros()), Usd.of(a.spentMicros()),
        a.creditGrantedMicros(), a.spentMicros(), a.balanceMicros()));
  }

  /** Usage by UTC day and model, {@code from}/{@code to} as YYYY-MM-DD (default: last 30 days). */
  @Get(uris = {"/v1/usage", "/api/v1/usage"})
  UsageList usage(HttpRequest<?> request, @Nullable @QueryValue String from,
      @Nullable @QueryValue String to) {
    ApiKey key = authenticated(request);
    DateRange range = QueryValues.dateRange(from, to, DEFAULT_USAGE_DAYS, clock);
    List<UsageRow> rows = reports.byDayAndModel(key.customerId(), range).stream()
        .map(r -> new UsageRow(r.date(), r.model(), r.usage().requests(),
            r.usage().promptTokens(), r.usage().completionTokens(),
            Usd.of(r.usage().priceMicros()), r.usage().priceMicros()))
        .toList();
    return new UsageList("list", range.from(), range.to(), rows);
  }

  private static ApiKey authenticated(HttpRequest<?> request) {
    return request.getAttribute(CustomerKeyFilter.ATTRIBUTE, ApiKey.class).orElseThrow(
        () -> new IllegalStateException("CustomerKeyFilter did not run for " + request.getPath()));
  }

  private Account account(ApiKey key) {
    return customers.account(key.customerId()).orElseThrow(
        () -> new IllegalStateException("key " + key.id() + " has no customer"));
  }
}
