package dev.silkroute.billing.selfservice;

import dev.silkroute.billing.account.ApiKey;
import dev.silkroute.billing.account.ApiKeys;
import dev.silkroute.billing.admin.ApiError;
import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.BearerToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.Optional;

/**
 * Customer endpoints take the customer's own API key ({@code Authorization: Bearer sk-...}),
 * looked up by its SHA-256 in PostgreSQL (the truth, so a key revoked a moment ago is refused).
 * The active key is handed to the controller as a request attribute; everything it answers is
 * scoped to that key's customer.
 */
@ServerFilter({"/v1/**", "/api/v1/**"})
final class CustomerKeyFilter {

  static final String ATTRIBUTE = "silkroute.api-key";

  private final ApiKeys apiKeys;

  CustomerKeyFilter(ApiKeys apiKeys) {
    this.apiKeys = apiKeys;
  }

  @RequestFilter
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Nullable
  HttpResponse<ApiError> authenticate(HttpRequest<?> request) {
    Optional<String> presented = BearerToken.of(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
    if (presented.isEmpty()) {
      return refuse("Missing API key: send Authorization: Bearer sk-...", "missing_api_key");
    }
    Optional<ApiKey> key = presented.get().isEmpty() ? Optional.empty()
        : apiKeys.findByHash(ApiKeyHash.sha256Hex(presented.get()));
    if (key.isEmpty() || key.get().status() != ApiKey.Status.ACTIVE) {
      return refuse("Invalid or revoked API key.", "invalid_api_key");
    }
    request.setAttribute(ATTRIBUTE, key.get());
    return null;
  }

  private static HttpResponse<ApiError> refuse(String message, String code) {
    return HttpResponse.<ApiError>unauthorized()
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .body(ApiError.invalidRequest(message, null, code));
  }
}
