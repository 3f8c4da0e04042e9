package dev.silkroute.billing.account;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one API key may do; each {@code null} means no limit. The router enforces them from the
 * key's Redis hash: {@code credit_limit_micros} against {@code keyspend:<key_id>}, {@code rpm} and
 * {@code tpm} per minute, {@code allowed_models} as a comma-separated list of model ids.
 */
public record KeyLimits(Long creditLimitMicros, Integer requestsPerMinute, Long tokensPerMinute,
    List<String> allowedModels) {

  public static final KeyLimits NONE = new KeyLimits(null, null, null, null);
  public static final int MAX_ALLOWED_MODELS = 200;

  public KeyLimits {
    requirePositive("credit_limit_micros", creditLimitMicros);
    requirePositive("requests_per_minute", requestsPerMinute == null ? null : (long) requestsPerMinute);
    requirePositive("tokens_per_minute", tokensPerMinute);
    if (allowedModels != null) {
      if (allowedModels.isEmpty() || allowedModels.size() > MAX_ALLOWED_MODELS) {
        throw new InvalidLimitException("allowed_models",
            "must list 1 to " + MAX_ALLOWED_MODELS + " models (null removes the restriction)");
      }
      for (String model : allowedModels) {
        if (model == null || model.isBlank() || model.contains(",") || model.length() > 200
            || model.chars().anyMatch(Character::isWhitespace)) {
          throw new InvalidLimitException("allowed_models",
              "entries must be model ids without commas or whitespace, at most 200 characters");
        }
      }
      allowedModels = List.copyOf(allowedModels);
    }
  }

  private static void requirePositive(String field, Long value) {
    if (value != null && value <= 0) {
      throw new InvalidLimitException(field, "must be a positive integer or null, was " + value);
    }
  }

  /** Redis hash fields of the limits that are set. */
  Map<String, String> redisFields() {
    Map<String, String> fields = new LinkedHashMap<>();
    if (creditLimitMicros != null) {
      fields.put("credit_limit_micros", creditLimitMicros.toString());
    }
    if (requestsPerMinute != null) {
      fields.put("rpm", requestsPerMinute.toString());
    }
    if (tokensPerMinute != null) {
      fields.put("tpm", tokensPerMinute.toString());
    }
    if (allowedModels != null) {
      fields.put("allowed_models", String.join(",", allowedModels));
    }
    return fields;
  }

  /** Redis hash fields that must be absent because their limit is not set. */
  List<String> absentRedisFields() {
    List<String> absent = new ArrayList<>();
    for (String field : List.of("credit_limit_micros", "rpm", "tpm", "allowed_models")) {
      if (!redisFields().containsKey(field)) {
        absent.add(field);
      }
    }
    return absent;
  }

  /** A limit value the API cannot accept; names the field. */
  public static final class InvalidLimitException extends IllegalArgumentException {
    private final String field;

    public InvalidLimitException(String field, String problem) {
      super(field + " " + problem + ".");
      this.field = field;
    }

    public String field() {
      return field;
    }
  }
}
