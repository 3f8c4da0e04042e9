package dev.silkroute.billing.admin;

import dev.silkroute.billing.ledger.LedgerUnavailableException;
import io.lettuce.core.RedisException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Our own exceptions as HTTP responses; everything else goes through {@link OpenAiErrorBody}. */
final class ErrorHandlers {

  private ErrorHandlers() {
  }

  @Singleton
  static final class ApiExceptionHandler
      implements ExceptionHandler<ApiException, HttpResponse<ApiError>> {
    @Override
    public HttpResponse<ApiError> handle(HttpRequest request, ApiException e) {
      return HttpResponse.<ApiError>status(e.status()).body(e.error());
    }
  }

  /** The database is down or timing out: the admin can retry, and nothing leaks. */
  @Singleton
  static final class LedgerUnavailableHandler
      implements ExceptionHandler<LedgerUnavailableException, HttpResponse<ApiError>> {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerUnavailableHandler.class);

    @Override
    public HttpResponse<ApiError> handle(HttpRequest request, LedgerUnavailableException e) {
      LOG.warn("{} {} failed: {}", request.getMethod(), request.getPath(), e.getMessage());
      return HttpResponse.<ApiError>status(HttpStatus.SERVICE_UNAVAILABLE)
          .body(ApiError.server("The billing database is unavailable; retry later.",
              "database_unavailable"));
    }
  }

  /** Redis refused or timed out a mirror write; the change was rolled back and can be retried. */
  @Singleton
  static final class RedisUnavailableHandler
      implements ExceptionHandler<RedisException, HttpResponse<ApiError>> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisUnavailableHandler.class);

    @Override
    public HttpResponse<ApiError> handle(HttpRequest request, RedisException e) {
      LOG.warn("{} {} failed on Redis: {}", request.getMethod(), request.getPath(), e.getMessage());
      return HttpResponse.<ApiError>status(HttpStatus.SERVICE_UNAVAILABLE)
          .body(ApiError.server("The router's Redis could not be updated; nothing was changed."
              + " Retry later.", "redis_unavailable"));
    }
  }
}
