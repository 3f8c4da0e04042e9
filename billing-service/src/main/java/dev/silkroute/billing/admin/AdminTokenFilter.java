package dev.silkroute.billing.admin;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/** Every {@code /admin/**} request needs {@code Authorization: Bearer <silkroute.admin-token>}. */
@ServerFilter("/admin/**")
final class AdminTokenFilter {

  private static final String BEARER = "Bearer ";

  private final AdminConfig config;

  AdminTokenFilter(AdminConfig config) {
    this.config = config;
  }

  @RequestFilter
  @Nullable
  HttpResponse<ApiError> authorize(HttpRequest<?> request) {
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, BEARER, 0, BEARER.length())
        && config.accepts(header.substring(BEARER.length()).trim())) {
      return null;
    }
    return HttpResponse.<ApiError>unauthorized()
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .body(new ApiError(new ApiError.Body(
            "Missing or invalid admin token: send Authorization: Bearer <silkroute.admin-token>.",
            "invalid_request_error", null, "invalid_admin_token")));
  }
}
