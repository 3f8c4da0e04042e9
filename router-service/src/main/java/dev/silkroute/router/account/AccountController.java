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
  private final KeyUsagePeriods periods;

  AccountController(ApiKeys keys, Standing standing, KeyUsagePeriods periods) {
    this.keys = keys;
    this.standing = standing;
    this.periods = periods;
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
    return keys.callerAsync(authorization).thenCompose(caller -> standing.key(caller, keyHash)
        .thenCombine(periods.of(caller.keyId()), (key, usage) -> {
          ObjectNode body = JsonNodeFactory.instance.objectNode();
          body.set("data", keyData(caller.limits(), key, usage, token));
          return json(body);
        }));
  }

  /**
   * OpenRouter's key object, every field of it. Spend: {@code usage} is the key's total (in-flight
   * requests at their reserved worst case), the periods are settled charges ({@link KeyUsagePeriods}).
   * What Silkroute's keys do not have is as OpenRouter writes it for a key without it: no BYOK usage,
   * no expiry, creator, organisation or workspace, no limit reset, every data region (no region
   * policy), no daily cap on free models ({@code free_model_daily_requests} -1 as "no limit", as
   * {@code rate_limit.requests} is).
   */
  private static ObjectNode keyData(KeyLimits limits, Standing.Key key, KeyUsagePeriods.Periods usage,
                                    String token) {
    long spent = key.spentMicros();
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("label", key.label().orElse(token.substring(0, Math.min(LABEL_LENGTH, token.length()))));
    if (limits.creditLimitMicros().isPresent()) {
      long limit = limits.creditLimitMicros().getAsLong();
      data.put("limit", usd(limit)).put("usage", usd(spent)).put("limit_remaining", usd(Math.max(0, limit - spent)));
    } else {
      data.putNull("limit").put("usage", usd(spent)).putNull("limit_remaining");
    }
    data.put("usage_daily", usd(usage.dayMicros())).put("usage_weekly", usd(usage.weekMicros()))
        .put("usage_monthly", usd(usage.monthMicros()));
    for (String field : new String[] {"byok_usage", "byok_usage_daily", "byok_usage_weekly", "byok_usage_monthly"}) {
      data.put(field, 0);
    }
    data.put("include_byok_in_limit", false).putNull("limit_reset").putNull("expires_at");
    data.put("is_free_tier", false).put("is_management_key", false).put("is_provisioning_key", false);
    data.putNull("creator_user_id").putNull("organization_id").putNull("workspace_id");
    data.putArray("allowed_data_regions").add("global");
    data.putObject("free_model_daily_requests").put("limit", -1).put("remaining", -1).put("used", 0);
    // OpenRouter always sends a number here; -1 says "no limit", as it does for unlimited keys.
    data.putObject("rate_limit").put("requests", limits.requestsPerMinute().orElse(-1)).put("interval", "1m")
        .put("note", "requests per minute through this key; -1: no limit");
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
