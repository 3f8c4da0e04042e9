package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.ApiKeys;
import dev.silkroute.billing.account.KeyLimits;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** Admin API for API keys that exist already. */
@Controller("/admin/keys")
@ExecuteOn(TaskExecutors.BLOCKING)
final class KeyController {

  private final ApiKeys apiKeys;

  KeyController(ApiKeys apiKeys) {
    this.apiKeys = apiKeys;
  }

  @Get("/{keyId}")
  Views.KeyView key(String keyId) {
    return apiKeys.find(keyId).map(Views.KeyView::of).orElseThrow(() -> unknownKey(keyId));
  }

  /** Idempotent: revoking a revoked key answers its current state. */
  @Post("/{keyId}/revoke")
  Views.KeyView revoke(String keyId) {
    return apiKeys.revoke(keyId).map(Views.KeyView::of).orElseThrow(() -> unknownKey(keyId));
  }

  /** Sets or removes limits: fields left out stay as they are, {@code null} removes a limit. */
  @Patch("/{keyId}")
  Views.KeyView changeLimits(String keyId, @Nullable @Body String body) {
    JsonBody json = JsonBody.parse(body);
    // Validated before the row is locked, so that a bad body answers 400 even for a real key.
    KeyLimitsJson.apply(json, KeyLimits.NONE);
    return apiKeys.changeLimits(keyId, current -> KeyLimitsJson.apply(json, current))
        .map(Views.KeyView::of).orElseThrow(() -> unknownKey(keyId));
  }

  private static ApiException unknownKey(String keyId) {
    return ApiException.notFound("No API key " + keyId + ".", "key_id");
  }
}
