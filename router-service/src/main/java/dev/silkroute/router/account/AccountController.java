package dev.silkroute.router.account;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.silkroute.contracts.ApiKeyHash;
import dev.silkroute.contracts.KeyLimits;
import dev.silkroute.router.auth.ApiKeys;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import java.math.BigDecimal;
import java.util.concurrent.CompletableFuture;

/**
 * OpenRouter's {@code GET /api/v1/credits} and {@code GET /api/v1/key} (also under {@code /v1}), on
 * the router, so an OpenRouter client needs one base URL. Answered from Redis ({@link Standing}),
 * never from a copy of billing's figures. Dollars are exact decimals of integer micro-USD.
 */
@Controller
final class AccountController {

  /**
   * A key without a label is shown by as many of its characters as billing shows as its prefix:
   * enough to tell keys apart, useless to a thief.
   */
  private static final int LABEL_LENGTH = 12;

  private final ApiKeys keys;
  private final Standing standing;

  AccountController(ApiKeys keys, Standing standing) {
    this.keys = keys;
    this.standing = standing;
  }

  /** {@code {"data": {"total_credits", "total_usage"}}} in USD: remaining credit is their difference. */
  @Get(uris = {"/v1/credits", "/api/v1/credits"}, produces = MediaType.APPLICATION_JSON)
  CompletableFuture<HttpResponse<?>> credits(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
    return keys.callerAsync(authorization).thenCompose(caller -> standing.credits(caller).thenApply(credits -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.putObject("data")
          .put("total_credits", usd(credits.grantedMicros()))
          .put("total_usage", usd(credits.usedMicros()));
      return json(body);
    }));
  }

  /** The calling key: its label, spend, credit limit and rate limit, in OpenRouter's field names. */
  @Get(uris = {"/v1/key", "/api/v1/key"}, produces = MediaType.APPLICATION_JSON)
  CompletableFuture<HttpResponse<?>> key(@Nullable @Header(HttpHeaders.AUTHORIZATION) String authorization) {
    String token = ApiKeys.presentedKey(authorization);
    String keyHash = ApiKeyHash.sha256Hex(token);
    return keys.callerAsync(authorization).thenCompose(caller -> standing.key(caller, keyHash).thenApply(key -> {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("data", keyData(caller.limits(), key, token));
      return json(body);
    }));
  }

  private static ObjectNode keyData(KeyLimits limits, Standing.Key key, String token) {
    long spent = key.spentMicros();
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("label", key.label().orElse(token.substring(0, Math.min(LABEL_LENGTH, token.length()))));
    if (limits.creditLimitMicros().isPresent()) {
      long limit = limits.creditLimitMicros().getAsLong();
      data.put("limit", usd(limit)).put("usage", usd(spent)).put("limit_remaining", usd(Math.max(0, limit - spent)));
    } else {
      data.putNull("limit").put("usage", usd(spent)).putNull("limit_remaining");
    }
    data.put("is_free_tier", false).put("is_provisioning_key", false);
    // OpenRouter always sends a number here; -1 says "no limit", as it does for unlimited keys.
    data.putObject("rate_limit").put("requests", limits.requestsPerMinute().orElse(-1)).put("interval", "1m");
    return data;
  }

  private static BigDecimal usd(long micros) {
    return BigDecimal.valueOf(micros, 6);
  }

  private static HttpResponse<?> json(ObjectNode body) {
    return HttpResponse.ok(body.toString()).contentType(MediaType.APPLICATION_JSON_TYPE)
        .header(HttpHeaders.CACHE_CONTROL, "no-store");
  }
}
