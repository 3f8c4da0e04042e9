package dev.silkroute.billing.admin;

import dev.silkroute.contracts.BearerToken;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/** Every {@code /admin/**} request needs {@code Authorization: Bearer <silkroute.admin-token>}. */
@ServerFilter("/admin/**")
final class AdminTokenFilter {

  private final AdminConfig config;

  AdminTokenFilter(AdminConfig config) {
    this.config = config;
  }

  @RequestFilter
  @Nullable
  HttpResponse<ApiError> authorize(HttpRequest<?> request) {
    if (BearerToken.of(request.getHeaders().get(HttpHeaders.AUTHORIZATION)).filter(config::accepts).isPresent()) {
      return null;
    }
    return HttpResponse.<ApiError>unauthorized()
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .body(ApiError.invalidRequest(
            "Missing or invalid admin token: send Authorization: Bearer <silkroute.admin-token>.",
            null, "invalid_admin_token"));
  }
}
