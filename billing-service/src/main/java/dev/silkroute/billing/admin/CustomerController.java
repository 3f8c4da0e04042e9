package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.Account;
import dev.silkroute.billing.account.ApiKeys;
import dev.silkroute.billing.account.CreditGrant;
import dev.silkroute.billing.account.Customer;
import dev.silkroute.billing.account.Customers;
import dev.silkroute.billing.account.KeyLimits;
import dev.silkroute.billing.ledger.Ledger;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;
import java.util.Map;

/** Admin API for customers: create, read balance, grant credit, issue keys, list usage. */
@Controller("/admin/customers")
@ExecuteOn(TaskExecutors.BLOCKING)
final class CustomerController {

  static final int DEFAULT_LEDGER_LIMIT = 50;
  static final int MAX_LEDGER_LIMIT = 500;

  private final Customers customers;
  private final ApiKeys apiKeys;
  private final Ledger ledger;

  CustomerController(Customers customers, ApiKeys apiKeys, Ledger ledger) {
    this.customers = customers;
    this.apiKeys = apiKeys;
    this.ledger = ledger;
  }

  @Post
  HttpResponse<Views.CustomerView> create(@Nullable @Body String body) {
    String name = JsonBody.parse(body).requiredText("name", 200);
    Customer customer = customers.create(name);
    return HttpResponse.created(Views.CustomerView.of(customer));
  }

  @Get("/{id}")
  Views.AccountView account(String id) {
    Account account = customers.account(id).orElseThrow(() -> unknownCustomer(id));
    return Views.AccountView.of(account);
  }

  @Post("/{id}/credits")
  HttpResponse<Views.CreditGrantView> grant(String id, @Nullable @Body String body) {
    JsonBody json = JsonBody.parse(body);
    long amount = json.requiredPositiveLong("amount_micros");
    String note = json.optionalText("note", 500);
    CreditGrant grant = customers.grant(id, amount, note).orElseThrow(() -> unknownCustomer(id));
    return HttpResponse.created(Views.CreditGrantView.of(grant));
  }

  @Post("/{id}/keys")
  HttpResponse<Views.CreatedKeyView> createKey(String id, @Nullable @Body String body) {
    JsonBody json = JsonBody.parse(body);
    String label = json.optionalText("label", 200);
    KeyLimits limits = KeyLimitsJson.apply(json, KeyLimits.NONE);
    ApiKeys.CreatedKey created =
        apiKeys.create(id, label, limits).orElseThrow(() -> unknownCustomer(id));
    return HttpResponse.created(Views.CreatedKeyView.of(created));
  }

  @Get("/{id}/ledger")
  Map<String, List<Map<String, Object>>> ledger(String id, @Nullable @QueryValue String limit) {
    int n = parseLimit(limit);
    if (!customers.exists(id)) {
      throw unknownCustomer(id);
    }
    return Map.of("data", ledger.latest(id, n));
  }

  private static int parseLimit(String limit) {
    if (limit == null || limit.isBlank()) {
      return DEFAULT_LEDGER_LIMIT;
    }
    try {
      int n = Integer.parseInt(limit.trim());
      if (n >= 1 && n <= MAX_LEDGER_LIMIT) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiException.badRequest("limit must be an integer from 1 to " + MAX_LEDGER_LIMIT + ".",
        "limit");
  }

  private static ApiException unknownCustomer(String id) {
    return ApiException.notFound("No customer " + id + ".", "id");
  }
}
