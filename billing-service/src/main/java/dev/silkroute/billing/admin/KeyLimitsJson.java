package dev.silkroute.billing.admin;

import dev.silkroute.billing.account.KeyLimits;

/**
 * Reads per-key limits from a request body. A field left out keeps its current value, a field
 * sent as {@code null} removes that limit (key creation starts from no limits).
 */
final class KeyLimitsJson {

  // Far beyond real use, small enough that the router's Lua arithmetic stays exact (2^53).
  static final long MAX_MICROS = 1_000_000_000_000_000L;
  static final long MAX_PER_MINUTE = 1_000_000_000_000L;

  private KeyLimitsJson() {
  }

  static KeyLimits apply(JsonBody json, KeyLimits current) {
    Long credit = json.has("credit_limit_micros")
        ? json.nullablePositiveLong("credit_limit_micros", MAX_MICROS)
        : current.creditLimitMicros();
    Integer rpm = json.has("requests_per_minute")
        ? toInt(json.nullablePositiveLong("requests_per_minute", Integer.MAX_VALUE))
        : current.requestsPerMinute();
    Long tpm = json.has("tokens_per_minute")
        ? json.nullablePositiveLong("tokens_per_minute", MAX_PER_MINUTE)
        : current.tokensPerMinute();
    var models = json.has("allowed_models")
        ? json.nullableTextList("allowed_models")
        : current.allowedModels();
    try {
      return new KeyLimits(credit, rpm, tpm, models);
    } catch (KeyLimits.InvalidLimitException e) {
      throw ApiException.badRequest(e.getMessage(), e.field());
    }
  }

  private static Integer toInt(Long value) {
    return value == null ? null : value.intValue();
  }
}
