package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.ApiKeys;
import io.micronaut.http.annotation.Controller;
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

  /** Idempotent: revoking a revoked key answers its current state. */
  @Post("/{keyId}/revoke")
  Views.KeyView revoke(String keyId) {
    return apiKeys.revoke(keyId).map(Views.KeyView::of)
        .orElseThrow(() -> ApiException.notFound("No API key " + keyId + ".", "key_id"));
  }
}
